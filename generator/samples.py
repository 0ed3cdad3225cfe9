"""What the generated tests need: valid sample values, parents to create, columns to probe.

A sample is a Python expression of `n`, a number unique per call, giving a value the API
accepts for that column in JSON: unique where the column is unique, within its length,
precision and enum. A model whose required columns can't all be sampled gets no write
tests, and the summary says why.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from fe_gen.generator import naming
from fe_gen.generator.annotations import TypeNamer, past_range, whole_digits
from fe_gen.generator.checks import NO_LIMITS, Limits, limits, unread
from fe_gen.generator.fields import FieldPlan
from fe_gen.generator.imports import Imports
from fe_gen.generator.includes import IncludePlan, LinkPlan
from fe_gen.generator.ir import Column, Model, Schema


@dataclass(frozen=True)
class Parent:
    """A row a factory creates first because a required foreign key points at it."""

    factory: str
    """`create_author`."""
    pairs: tuple[tuple[str, str], ...]
    """(this model's field, the parent's field) for each column of the foreign key."""
    var: str
    """The factory's local name for the parent row."""
    condition: str
    """When to create it: unless the caller gave the foreign key."""


@dataclass(frozen=True)
class IncludeTest:
    """How a test shows that `?include=<name>` returns the right rows."""

    name: str
    kind: str
    """`parent`: the row's required reference; `children`: a row created pointing at it;
    `linked`: a target set through the link field; `present`: only that the key is there."""
    pairs: tuple[tuple[str, str], ...] = ()
    target_module: str = ""
    target_key: str = ""
    overrides: str = ""
    link_field: str = ""
    sparse_fields: tuple[str, ...] = ()
    """What `fields=<name>.<target_key>` serves of each related row: that field and the key."""


@dataclass(frozen=True)
class TestPlan:
    testable: bool
    reason: str | None = None
    payload: tuple[tuple[str, str], ...] = ()
    """(field, sample expression) for the factory's payload."""
    parents: tuple[Parent, ...] = ()
    item_url: str = ""
    """An f-string expression of `row` for the row's URL."""
    missing_url: str | None = None
    update_field: str | None = None
    compare_field: str | None = None
    """A field whose samples grow with `n`, for the comparison filters and sorting."""
    compare_bare: bool = True
    """Whether `?<compare_field>=` filters (not when it is named like a paging parameter)."""
    text_field: str | None = None
    null_field: str | None = None
    tie_field: str | None = None
    unique_field: str | None = None
    foreign_key: tuple[str, str] | None = None
    """(field, a value no parent row has) for the foreign-key 409."""
    bad_value_field: str | None = None
    fields_field: str | None = None
    array_field: str | None = None
    """An array field with a `contains` filter."""
    null_sortable: bool = False
    includes: tuple[IncludeTest, ...] = ()
    updatable: tuple[str, ...] = ()
    """Fields a PATCH sets alone to another row's sample (references too)."""
    nullable_updatable: tuple[str, ...] = ()
    """Those of them a PATCH may also set to null."""
    bad_queries: tuple[tuple[str, str], ...] = ()
    """(parameter, a value literal its column can't hold) for the 422 tests."""
    bad_key_url: str | None = None
    """A URL whose integer key is past its column's range."""
    bad_bodies: tuple[tuple[str, str], ...] = ()
    """(field, a value literal its column can't store) for the create 422 tests."""
    text_body_field: str | None = None
    """A text field of the create payload, to send an unpaired surrogate in."""
    eq_alias_field: str | None = None
    """A field filtered as `?<name>=` and `?<name>__eq=` alike."""
    sort_field: str | None = None
    """A sortable field, to sort by twice."""
    imports: str = ""


def plan_tests(
    model: Model,
    schema: Schema,
    fields: tuple[FieldPlan, ...],
    includes: tuple[IncludePlan, ...],
    links: tuple[LinkPlan, ...],
    namer: TypeNamer,
    factories: Imports,
    path: str,
    blocked: Mapping[str, str],
) -> TestPlan:
    """What the model's tests exercise; samples bind the enums they use in `factories`.

    `blocked` says, by model, why the API can't create its rows (a required private column).
    """
    reason = _untestable(model, schema, blocked, set())
    if reason:
        return untestable(namer.package, reason, model, fields, path)
    parents = _parents(model, schema)
    payload = _payload(model, fields, parents, namer, factories)
    sampled = {name for name, _ in payload}
    in_payload = [f for f in fields if f.name in sampled and not f.foreign_key]
    # Fields whose samples all differ first: the tests that tell rows apart by one take it.
    writable = sorted((f for f in in_payload if f.update_line), key=_few_values)
    bounded = {c.key for c in model.columns if limits(model.checks, c.name).bounded}
    comparable = [
        f for f in in_payload if f.family in _ORDERED and f.filters and f.name not in bounded
    ]
    shared = {key for constraint in model.unique_constraints for key in constraint.columns}
    compare_field = _first(f.name for f in comparable) or _integer_key(model)
    # References the factories give too: one column of one parent row, set alone.
    single_parents = {parent.pairs[0][0] for parent in parents if len(parent.pairs) == 1}
    updatable = [f.name for f in writable] + [
        f.name for f in fields if f.name in single_parents and f.update_line
    ]
    null_field = _first(
        f.name
        for f in writable
        if f.nullable
        and not f.deferred
        and all(any(f"__{op}:" in x for x in f.filters) for op in ("isnull", "ne"))
    )
    plan = replace(
        _refusals(model, fields, path),
        payload=payload,
        parents=parents,
        item_url=_item_url(model, path),
        missing_url=_missing_url(model, path),
        update_field=_first(f.name for f in writable),
        compare_field=compare_field,
        compare_bare=compare_field not in naming.PAGING_PARAMETERS,
        text_field=_first(
            f.name
            for f in in_payload
            if any(x.startswith(f"{f.name}__icontains") for x in f.filters)
        ),
        null_field=null_field,
        null_sortable=null_field is not None and by_name(fields, null_field).sortable,
        tie_field=_first(
            f.name for f in writable if f.sortable and not f.unique and f.name not in shared
        ),
        unique_field=_first(f.name for f in in_payload if f.unique),
        foreign_key=_foreign_key(model, parents),
        bad_value_field=_first(f.name for f in fields if f.family in _PARSED and f.filters),
        fields_field=_first(f.name for f in fields if not f.primary_key and not f.deferred),
        array_field=_first(
            f.name
            for f in in_payload
            if f.family == "array" and f.filters and "__contains" in f.filters[0]
        ),
        includes=tuple(
            _include_test(model, include, links, schema, blocked) for include in includes
        ),
        updatable=tuple(updatable),
        nullable_updatable=tuple(name for name in updatable if by_name(fields, name).nullable),
        bad_bodies=_bad_bodies(model, in_payload),
        text_body_field=_first(f.name for f in in_payload if f.write_type == "Text"),
    )
    return replace(plan, imports=_test_imports(plan, bool(includes), namer.package))


def untestable(
    package: str, reason: str, model: Model, fields: tuple[FieldPlan, ...], path: str
) -> TestPlan:
    """The tests of a model whose rows the tests can't make: only the 422s."""
    imports = Imports(first_party=(package, "tests"))
    imports.name("httpx", "AsyncClient")
    imports.name("tests.utils", "error_location")
    return replace(
        _refusals(model, fields, path), testable=False, reason=reason, imports=imports.render()
    )


def _refusals(model: Model, fields: tuple[FieldPlan, ...], path: str) -> TestPlan:
    """What the 422 tests send, which needs no row: values past what the columns hold."""
    return TestPlan(
        testable=True,
        bad_queries=_bad_queries(model, fields),
        bad_key_url=_bad_key_url(model, path),
        eq_alias_field=_first(
            f.name for f in fields if f.filters and "AliasChoices(" in f.filters[0]
        ),
        sort_field=_first(f.name for f in fields if f.sortable),
    )


def by_name(fields: tuple[FieldPlan, ...], name: str) -> FieldPlan:
    return next(field for field in fields if field.name == name)


def _payload(
    model: Model,
    fields: tuple[FieldPlan, ...],
    parents: tuple[Parent, ...],
    namer: TypeNamer,
    factories: Imports,
) -> tuple[tuple[str, str], ...]:
    """Samples for every column a client may write, but references and defaulted columns."""
    from_parents = {mine for parent in parents for mine, _ in parent.pairs}
    payload = []
    for column in model.columns:
        if by_name(fields, column.key).create_line is None or column.key in from_parents:
            continue
        if column.foreign_keys or (column.has_default and not column.primary_key):
            continue
        sample = _sample(column, namer, factories, limits(model.checks, column.name))
        if sample is not None:
            payload.append((column.key, sample))
    return tuple(payload)


def _include_test(
    model: Model,
    include: IncludePlan,
    links: tuple[LinkPlan, ...],
    schema: Schema,
    blocked: Mapping[str, str],
) -> IncludeTest:
    target = schema.model(include.target)
    target_module = naming.snake_case(target.name)
    target_key = target.primary_key[0]
    target_testable = _untestable(target, schema, blocked, set()) is None
    link = next((link for link in links if link.relationship == include.name), None)
    if include.direction == "many_to_one":
        required = all(
            not model.column(key).nullable and not model.column(key).has_default
            for key in include.local
        )
        if required:
            return IncludeTest(
                include.name, "parent", pairs=tuple(zip(include.local, include.remote, strict=True))
            )
    elif include.direction == "one_to_many" and target_testable:
        overrides = ", ".join(
            f'{remote}=row["{local}"]'
            for local, remote in zip(include.local, include.remote, strict=True)
        )
        return IncludeTest(
            include.name,
            "children",
            target_module=target_module,
            target_key=target_key,
            overrides=overrides,
            sparse_fields=tuple(dict.fromkeys(target.primary_key)),
        )
    elif link is not None and target_testable:
        return IncludeTest(
            include.name,
            "linked",
            target_module=target_module,
            target_key=include.remote[0],
            link_field=link.field,
            sparse_fields=tuple(dict.fromkeys((include.remote[0], *target.primary_key))),
        )
    return IncludeTest(include.name, "present")


def _test_imports(plan: TestPlan, has_includes: bool, package: str) -> str:
    imports = Imports(first_party=(package, "tests"))
    imports.name("httpx", "AsyncClient")
    imports.name("tests", "factories")
    imports.name("tests.utils", "error_location")
    imports.name("tests.utils", "keys")
    imports.name("tests.utils", "listed")
    imports.name("tests.utils", "assert_stored")
    if plan.text_body_field:
        imports.module("json")
    imports.name("typing", "Any")
    if plan.tie_field or plan.null_sortable:
        imports.name("tests.utils", "all_pages")
    if has_includes:
        imports.name("tests.utils", "statements")
    if any(include.kind in ("children", "linked") for include in plan.includes):
        imports.name("tests.conftest", "serve")
    return imports.render()


_ORDERED = frozenset({"integer", "float", "decimal", "date", "datetime"})
_PARSED = frozenset({"integer", "float", "decimal", "date", "datetime", "uuid"})


def _bad_queries(model: Model, fields: tuple[FieldPlan, ...]) -> tuple[tuple[str, str], ...]:
    """Filter values no column of the model can hold, each with its parameter."""
    cases = []
    filtered = [f for f in fields if f.filters and f.name in _columns(model)]
    integer = _first(f.name for f in filtered if f.family == "integer")
    if integer is not None:
        limit = past_range(model.column(integer).type)
        cases.append((f"{integer}__gt", f'"{limit}"'))
    text = _first(f.name for f in filtered if any("__icontains:" in x for x in f.filters))
    if text is not None:
        cases.append((f"{text}__ne", '"a\\x00b"'))
    for field in filtered:
        digits = whole_digits(model.column(field.name).type)
        if field.family == "decimal" and digits is not None:
            cases.append((f"{field.name}__gt", f'"1e{digits}"'))
            break
    listed = _first(f.name for f in filtered if any(f"{f.name}__in:" in x for x in f.filters))
    if listed is not None:
        cases.append((f"{listed}__in", '""'))
    return tuple(cases)


def _bad_key_url(model: Model, path: str) -> str | None:
    """A URL whose integer key is past its column's range: a 422, not a database error."""
    columns = [model.column(key) for key in model.primary_key]
    if any(column.type.family != "integer" for column in columns):
        return None
    return '"' + path + "".join(f"/{past_range(column.type)}" for column in columns) + '"'


def _bad_bodies(model: Model, in_payload: list[FieldPlan]) -> tuple[tuple[str, str], ...]:
    """Create payload values their columns can't store, each with its field."""
    cases = [("no_such_field", "1")]
    text = _first(f.name for f in in_payload if f.write_type == "Text")
    if text is not None:
        cases.append((text, '"a\\x00b"'))
    integer = _first(f.name for f in in_payload if f.family == "integer")
    if integer is not None:
        cases.append((integer, str(past_range(model.column(integer).type))))
    return tuple(cases)


def _columns(model: Model) -> set[str]:
    return {column.key for column in model.columns}


def _first(names: Iterable[str]) -> str | None:
    return next(iter(names), None)


def _integer_key(model: Model) -> str | None:
    if len(model.primary_key) == 1 and model.column(model.primary_key[0]).type.family == "integer":
        return model.primary_key[0]
    return None


def _few_values(field: FieldPlan) -> bool:
    """Whether two samples of the field may be equal (a boolean, an enum: `n % 2`): the
    update and null-filter tests tell rows apart by a field whose samples all differ, where
    the model has one."""
    return field.family in ("boolean", "enum")


def _untestable(
    model: Model, schema: Schema, blocked: Mapping[str, str], seen: set[str]
) -> str | None:
    """Why rows of `model` can't be made from samples, or None when they can."""
    if model.name in blocked:
        return blocked[model.name]
    condition = unread(model.checks, [column.name for column in model.columns])
    if condition is not None:
        return f"its CHECK constraint {condition} is beyond what fe-gen reads"
    if model.name in seen:
        return f"its required foreign keys form a cycle through {model.name}"
    for column in model.columns:
        required = not column.nullable and not column.has_default and not column.read_only
        if not required:
            continue
        if column.foreign_keys:
            parent = _model_of_table(schema, column.foreign_keys[0].target_table)
            if parent is None:
                target = column.foreign_keys[0].target_table
                return f"{column.key} references {target}, which is not a model"
            if parent.name == model.name:
                return f"{column.key} is a required reference to its own table"
            reason = _untestable(parent, schema, blocked, seen | {model.name})
            if reason:
                return f"{column.key} needs a {parent.name}, which can't be sampled: {reason}"
        elif _sample(column, None, None) is None:
            return f"no sample value for {column.key} ({column.type.sql})"
    return None


def _parents(model: Model, schema: Schema) -> tuple[Parent, ...]:
    """One parent row per foreign key: the columns of a composite key come from one row.

    Unnamed keys to one table are told apart by the column they reference: a column that
    references one already taken (`sender_id` and `recipient_id`, both to `users.id`) is
    a key of its own, while `(student_id, course_code)` to the two columns of a key is one.
    """
    groups: dict[tuple[str, str | None, int], list[tuple[str, str]]] = {}
    for column in model.columns:
        if column.nullable or column.has_default or not column.foreign_keys:
            continue
        foreign_key = column.foreign_keys[0]
        table, target = foreign_key.target_table, foreign_key.target_column
        index = 0
        while any(
            theirs == target for _, theirs in groups.get((table, foreign_key.constraint, index), ())
        ):
            index += 1
        groups.setdefault((table, foreign_key.constraint, index), []).append((column.key, target))
    parents: list[Parent] = []
    for (table, _, _), pairs in groups.items():
        parent = _model_of_table(schema, table)
        assert parent is not None
        keys = {column.name: column.key for column in parent.columns}
        mine = [field for field, _ in pairs]
        condition = (
            f'"{mine[0]}" not in fields'
            if len(mine) == 1
            else "not fields.keys() & {" + ", ".join(f'"{name}"' for name in mine) + "}"
        )
        parents.append(
            Parent(
                factory=f"create_{naming.snake_case(parent.name)}",
                pairs=tuple((field, keys[theirs]) for field, theirs in pairs),
                var=_parent_var(mine[0], len(parents)),
                condition=condition,
            )
        )
    return tuple(parents)


def _parent_var(field: str, index: int) -> str:
    """`author_id` -> `author`: the parent row's name in the factory."""
    base = (
        field.removesuffix("_id") if field.endswith("_id") and field != "_id" else f"parent{index}"
    )
    name = naming.identifier(base)
    return name if name not in ("payload", "fields", "client", "n") else f"{name}_row"


def _model_of_table(schema: Schema, qualified: str) -> Model | None:
    return next((m for m in schema.models if m.qualified_table == qualified), None)


def _foreign_key(model: Model, parents: tuple[Parent, ...]) -> tuple[str, str] | None:
    for parent in parents:
        if len(parent.pairs) == 1:
            mine = parent.pairs[0][0]
            missing = _missing_value(model.column(mine))
            if missing is not None:
                literal = missing if model.column(mine).type.family == "integer" else f'"{missing}"'
                return mine, literal
    return None


def _item_url(model: Model, path: str) -> str:
    return 'f"' + path + "".join("/{row['" + key + "']}" for key in model.primary_key) + '"'


def _missing_url(model: Model, path: str) -> str | None:
    values = [_missing_value(model.column(key)) for key in model.primary_key]
    if any(value is None for value in values):
        return None
    return '"' + path + "".join(f"/{value}" for value in values) + '"'


def _missing_value(column: Column) -> str | None:
    family = column.type.family
    if family == "integer":
        return "2147483000"
    if family == "uuid":
        return "ffffffff-ffff-4fff-bfff-ffffffffffff"
    if family == "string" and (column.type.length is None or column.type.length >= 7):
        return "missing"
    return None


def _sample(
    column: Column,
    namer: TypeNamer | None,
    factories: Imports | None,
    allowed: Limits = NO_LIMITS,
) -> str | None:
    """A Python expression of `n` giving a valid JSON value for `column`, within what the
    table's CHECK constraints say of it (`allowed`)."""
    column_type = column.type
    family = column_type.family
    special = _POSTGRESQL_SAMPLES.get(column_type.sql.upper())
    if special is not None:
        return special
    if allowed.choices and family in ("integer", "string"):
        values = ", ".join(json.dumps(value) for value in allowed.choices)
        return f"[{values}][n % {len(allowed.choices)}]"
    if family == "integer":
        return _number_sample(allowed, whole=True)
    if family == "float":
        return _number_sample(allowed, whole=False)
    if family == "decimal":
        if allowed.minimum is not None or allowed.maximum is not None:
            return _decimal_range_sample(column_type.precision, column_type.scale, allowed)
        return _decimal_sample(column_type.precision, column_type.scale)
    if family == "string":
        longest = min(
            (size for size in (column_type.length, allowed.longest) if size is not None),
            default=None,
        )
        if allowed.prefix is not None:
            return _prefixed_sample(column.key, longest, allowed.prefix)
        return _string_sample(column.key, longest, allowed.shortest or 0)
    if family == "boolean":
        return "n % 2 == 0"
    if family == "date":
        return "(dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat()"
    if family == "datetime":
        zone = ", tzinfo=dt.UTC" if column_type.timezone else ""
        return f"(dt.datetime(2024, 1, 1{zone}) + dt.timedelta(minutes=n)).isoformat()"
    if family == "time":
        return "dt.time(n % 24, n % 60).isoformat()"
    if family == "interval":
        # As responses write it (PT2M8S, not PT128S), so a payload compares equal to its row.
        return "to_jsonable_python(dt.timedelta(seconds=n))"
    if family == "uuid":
        return "str(uuid.UUID(int=n))"
    if family == "json":
        # Strings where the type leaves it open: constraints often ask for them (labels).
        return _JSON_SAMPLES.get(allowed.json_type or "object", _JSON_SAMPLES["object"])
    if family == "binary":
        return 'base64.b64encode(f"b{n}".encode()).decode()'
    if family == "enum" and column_type.enum is not None:
        enum = column_type.enum
        if enum.python_class is not None:
            top, dot, rest = enum.python_class.name.partition(".")
            if namer is not None and factories is not None:
                top = factories.bind(namer.module_of(enum.python_class.module), top)
            return f"list({top}{dot}{rest})[n % {len(enum.values)}].value"
        values = ", ".join(f'"{value}"' for value in enum.values)
        return f"[{values}][n % {len(enum.values)}]"
    if family == "array" and column_type.item is not None:
        item = _sample(Column(column.key, column.name, column_type.item, True), namer, factories)
        return f"[{item}]" if item else None
    return None


# Values of PostgreSQL types whose Python type SQLAlchemy doesn't know, as JSON strings.
_POSTGRESQL_SAMPLES = {
    "INET": 'f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"',
    "CIDR": 'f"10.{n // 256 % 256}.{n % 256}.0/24"',
    "MACADDR": 'f"08:00:2b:{n // 65536 % 256:02x}:{n // 256 % 256:02x}:{n % 256:02x}"',
    "TSVECTOR": "f\"'word{n}'\"",  # as PostgreSQL writes a vector back
}


_JSON_SAMPLES = {
    "object": '{"n": str(n)}',
    "array": "[str(n)]",
    "string": "str(n)",
    "number": "n",
    "boolean": "n % 2 == 0",
}


def _number_sample(allowed: Limits, *, whole: bool) -> str:
    """`n` (a whole number) or `n + 0.5`, moved into the range the constraints allow."""
    low, high = allowed.minimum, allowed.maximum
    if whole:
        low = math.ceil(low) if low is not None else None
        high = math.floor(high) if high is not None else None
    plain = "n" if whole else "n + 0.5"
    if high is None:
        return plain if low is None or low <= 1 else f"{plain} + {low - 1}"
    if low is None:
        low = high - 1000
    if whole:
        return f"{low} + n % {max(high - low + 1, 1)}"
    return f"{low} + n % 1000 * {(high - low) / 1000}"


def _decimal_sample(precision: int | None, scale: int | None) -> str:
    scale = 2 if scale is None and precision is None else (scale or 0)
    fraction = "5" * scale
    if precision is None:
        return f'f"{{n}}.{fraction}"' if fraction else "str(n)"
    whole = precision - scale
    if whole <= 0:
        return f'"0.{fraction}"'
    return f'f"{{n % {10**whole}}}.{fraction}"' if fraction else f"str(n % {10**whole})"


def _decimal_range_sample(precision: int | None, scale: int | None, allowed: Limits) -> str | None:
    """A decimal within the constraints' bounds, counted in steps of the scale's unit."""
    scale = 2 if scale is None and precision is None else (scale or 0)
    unit = 10**scale
    largest = 10**precision - 1 if precision is not None else None  # in units
    low = math.ceil(allowed.minimum * unit) if allowed.minimum is not None else None
    high = math.floor(allowed.maximum * unit) if allowed.maximum is not None else largest
    if largest is not None:
        low = max(low, -largest) if low is not None else None
        high = min(high, largest) if high is not None else largest
    if low is None:
        low = high - 1000 * unit if high is not None else 0
    if high is None:
        return f'f"{{({low} + n) / {unit}:.{scale}f}}"'
    if high < low:
        return None
    return f'f"{{({low} + n % {high - low + 1}) / {unit}:.{scale}f}}"'


def _prefixed_sample(key: str, length: int | None, prefix: str) -> str | None:
    """A text starting with what a `LIKE 'prefix%'` constraint asks, unique by `n`."""
    literal = json.dumps(prefix)[1:-1].replace("{", "{{").replace("}", "}}")
    if length is None or length >= len(prefix) + len(key) + 10:
        return f'f"{literal}{key}-{{n}}"'
    width = min(9, length - len(prefix))
    return f'f"{literal}{{n:0{width}d}}"' if width > 0 else None


def _string_sample(key: str, length: int | None, shortest: int = 0) -> str:
    """`<key>-<n>` when it fits (at least `shortest` characters), else `n` zero-padded."""
    if (length is None or length >= len(key) + 10) and shortest <= len(key) + 2:
        return f'f"{key}-{{n}}"'
    width = max(min(length or 9, 9), shortest)
    return f'f"{{n:0{width}d}}"'
