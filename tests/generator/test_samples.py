"""Sample values within what a table's CHECK constraints allow."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pytest

from fe_gen.generator.checks import Limits, limits, postgresql_only, unread
from fe_gen.generator.ir import CheckConstraint, Column, ColumnType, Schema, TypeFamily
from fe_gen.generator.plan import build_plan
from fe_gen.generator.samples import _sample
from tests.generator.model_fixtures import schema_of


def limits_of(sql: str, column: str = "score") -> Limits:
    return limits([CheckConstraint("check", sql)], column)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("jsonb_typeof(score) = 'array'", Limits(json_type="array"), id="jsonb"),
        pytest.param("JSON_TYPEOF(score) = 'Object'", Limits(json_type="object"), id="json"),
        pytest.param("score IN ('a', 'it''s')", Limits(choices=("a", "it's")), id="in-text"),
        pytest.param("score in (1, -2)", Limits(choices=(1, -2)), id="in-numbers"),
        pytest.param("score >= 3", Limits(minimum=3), id="at-least"),
        pytest.param("10 > score", Limits(maximum=10 - 1e-6), id="flipped"),
        pytest.param("score BETWEEN 1 AND 5", Limits(minimum=1, maximum=5), id="between"),
        pytest.param(
            "score >= 0 AND (score <= 1.5)", Limits(minimum=0, maximum=1.5), id="and-parens"
        ),
        pytest.param('"score" > 0', Limits(minimum=1e-6), id="quoted"),
        pytest.param("t.score < 4", Limits(maximum=4 - 1e-6), id="qualified"),
        pytest.param("char_length(score) BETWEEN 3 AND 8", Limits(shortest=3, longest=8)),
        pytest.param("length(score) > 2", Limits(shortest=3), id="strict-length"),
        pytest.param(
            "score IN ('a', 'b') AND length(score) = 1",
            Limits(choices=("a", "b"), shortest=1, longest=1),
            id="and",
        ),
        pytest.param("score >= 3 OR score IS NULL", Limits(minimum=3), id="or-null"),
        pytest.param("score IS NULL OR (score < 2)", Limits(maximum=2 - 1e-6), id="null-or"),
        pytest.param("score LIKE 'G-%'", Limits(prefix="G-"), id="like-prefix"),
        pytest.param("score like 'it''s %'", Limits(prefix="it's "), id="like-quote"),
        pytest.param(
            """NOT jsonb_path_exists(score, '$.* ? (@.type() != "string")')""",
            Limits(json_strings=True),
            id="json-strings",
        ),
    ],
)
def test_limits_read_the_common_shapes(sql: str, expected: Limits) -> None:
    assert limits_of(sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("other >= 3", id="another-column"),
        pytest.param("scores >= 3", id="a-longer-name"),
        pytest.param("score >= 3 OR score < 0", id="or"),
        pytest.param("score LIKE '%-G'", id="like-suffix"),
        pytest.param("score < other", id="two-columns"),
        pytest.param("lower(score) = score", id="a-function"),
        pytest.param(
            """NOT jsonb_path_exists(score, '$.* ? (@.type() != "number")')""", id="json-path"
        ),
    ],
)
def test_limits_leave_other_conditions_to_the_database(sql: str) -> None:
    assert limits_of(sql) == Limits()


CHECKS = {
    "Club": (
        CheckConstraint("labels_is_array", "jsonb_typeof(labels) = 'array'", "postgresql"),
        CheckConstraint("name_size", "char_length(name) BETWEEN 12 AND 14", "postgresql"),
    ),
    "Member": (CheckConstraint("name_kind", "name IN ('ann', 'bob')"),),
}


def checked_schema() -> Schema:
    """The ring_schema models with CHECK constraints of the shapes fe-gen reads."""
    schema = schema_of("ring_schema")
    models = tuple(
        dataclasses.replace(model, checks=CHECKS.get(model.name, ())) for model in schema.models
    )
    return dataclasses.replace(schema, models=models)


def samples(model: str) -> dict[str, str]:
    plan = build_plan(checked_schema(), name="demo")
    return dict(next(each for each in plan.models if each.name == model).tests.payload)


def test_samples_pass_the_checks_fe_gen_can_read() -> None:
    """The models' own checks replaced by CHECKS; those of the fixture are tested end to end."""
    assert samples("Club") == {
        "name": 'f"{n:012d}"',
        "code": 'f"{n:09d}"',
        "dues": 'f"{n % 10000}.55"',
        "labels": "[str(n)]",
    }
    assert samples("Member") == {"name": '["ann", "bob"][n % 2]'}


def test_json_samples_are_objects_of_strings_where_no_check_says_otherwise() -> None:
    """What a `labels`-like constraint (`jsonb_typeof` object, string values) asks for."""
    plan = build_plan(schema_of("ring_schema"), name="demo")
    club = next(each for each in plan.models if each.name == "Club")
    assert dict(club.tests.payload)["labels"] == '{"n": str(n)}'


@pytest.mark.parametrize(
    ("sql", "family", "inside"),
    [
        pytest.param("score BETWEEN 1 AND 3", "integer", lambda v: 1 <= v <= 3, id="int-range"),
        pytest.param("score < 0", "integer", lambda v: v < 0, id="int-below"),
        pytest.param("score > 5", "integer", lambda v: v > 5, id="int-above"),
        pytest.param("score > 0 AND score < 1", "float", lambda v: 0 < v < 1, id="ratio"),
        pytest.param("score >= 100", "float", lambda v: v >= 100, id="float-above"),
    ],
)
def test_number_samples_stay_in_range(
    sql: str, family: TypeFamily, inside: Callable[[float], bool]
) -> None:
    column = Column("score", "score", ColumnType(family, family.upper(), None), nullable=False)
    sample = _sample(column, None, None, limits_of(sql))
    assert sample is not None
    assert all(inside(eval(sample, {"n": n})) for n in range(1, 3000))


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        pytest.param(CheckConstraint(None, "jsonb_typeof(x) = 'object'"), "jsonb_typeof()"),
        pytest.param(CheckConstraint(None, "CHAR_LENGTH (x) > 2"), "char_length()"),
        pytest.param(CheckConstraint(None, "x::text <> ''"), "the :: cast", id="cast"),
        pytest.param(CheckConstraint(None, "x <> 'a::b'"), None, id="quoted-colons"),
        pytest.param(CheckConstraint(None, "length(x) > 2"), None, id="both-have-it"),
        pytest.param(CheckConstraint(None, "jsonb_typeof(x) = 'object'", "postgresql"), None),
    ],
)
def test_postgresql_only_names_what_sqlite_lacks(
    check: CheckConstraint, expected: str | None
) -> None:
    assert postgresql_only(check) == expected


def test_a_check_sqlite_cannot_run_makes_the_project_need_postgresql() -> None:
    schema = checked_schema()
    assert not build_plan(schema, name="demo").needs_postgresql  # created on PostgreSQL only
    check = CheckConstraint("labels_is_object", "jsonb_typeof(labels) = 'object'")
    club = dataclasses.replace(schema.model("Club"), checks=(check,))
    models = tuple(club if model.name == "Club" else model for model in schema.models)
    plan = build_plan(dataclasses.replace(schema, models=models), name="demo")
    assert plan.postgresql_reason == (
        "Club's CHECK labels_is_object uses jsonb_typeof(), which only PostgreSQL has"
    )


def test_introspection_reads_check_constraints_and_the_database_they_are_made_on() -> None:
    club = schema_of("ring_schema").model("Club")
    assert {(check.name, check.dialect) for check in club.checks} == {
        ("labels_is_object", "postgresql"),
        ("labels_are_strings", "postgresql"),
        ("code_prefix", None),
        ("dues_range", None),
    }
    assert any("jsonb_typeof(labels) = 'object'" in check.sql for check in club.checks)


@pytest.mark.parametrize(
    ("sql", "precision", "scale", "inside"),
    [
        pytest.param("score BETWEEN 1 AND 5", 10, 2, lambda v: 1 <= v <= 5, id="range"),
        pytest.param("score > 0", 4, 2, lambda v: 0 < v < 100, id="positive-precision"),
        pytest.param("score < -1", None, None, lambda v: v < -1, id="below"),
        pytest.param("score >= 1000", None, 3, lambda v: v >= 1000, id="above"),
    ],
)
def test_decimal_samples_stay_in_range_at_their_scale(
    sql: str, precision: int | None, scale: int | None, inside: Callable[[Decimal], bool]
) -> None:
    type_ = ColumnType("decimal", "NUMERIC", None, precision=precision, scale=scale)
    sample = _sample(Column("score", "score", type_, nullable=False), None, None, limits_of(sql))
    assert sample is not None
    values = [Decimal(eval(sample, {"n": n})) for n in range(1, 3000)]
    assert all(inside(value) for value in values)
    assert all(
        value.as_tuple().exponent == -(scale if scale is not None else 2) for value in values
    )


def test_text_samples_start_with_what_a_like_constraint_asks() -> None:
    type_ = ColumnType("string", "VARCHAR(12)", None, length=12)
    sample = _sample(
        Column("code", "code", type_, nullable=False),
        None,
        None,
        limits_of("code LIKE 'G{1}-%'", "code"),
    )
    assert sample is not None
    values = [eval(sample, {"n": n}) for n in range(1, 2000)]
    assert all(value.startswith("G{1}-") and len(value) <= 12 for value in values)
    assert len(set(values)) == len(values)


def test_a_condition_fe_gen_cannot_read_is_named() -> None:
    checks = [
        CheckConstraint("named", "name IS NOT NULL AND name <> ''"),
        CheckConstraint("range", "score BETWEEN 1 AND 5"),
        CheckConstraint("has_capitals", "lower(name)  <>  name AND score > 0"),
    ]
    assert unread(checks[:2], ["name", "score"]) is None
    assert unread(checks, ["name", "score"]) == "has_capitals (lower(name) <> name)"


def test_a_model_with_a_condition_fe_gen_cannot_read_gets_no_tests_that_need_rows() -> None:
    schema = schema_of("ring_schema")
    models = tuple(
        dataclasses.replace(model, checks=(CheckConstraint("odd", "name ~ '^[a-z]+$'"),))
        if model.name == "Member"
        else model
        for model in schema.models
    )
    plan = build_plan(dataclasses.replace(schema, models=models), name="demo")
    member = next(each for each in plan.models if each.name == "Member")
    assert not member.tests.testable
    assert (
        member.tests.reason
        == "its CHECK constraint odd (name ~ '^[a-z]+$') is beyond what fe-gen reads"
    )
