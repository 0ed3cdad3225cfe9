"""Models, Bases and read-only fields: every declarative flavour reads the same way."""

from __future__ import annotations

import pytest
from model_fixtures import model, schema_of

from fe_gen.generator.ir import Diagnostic, Inheritance, InheritedTable, ReadOnlyField, TypeRef

MODEL_NAMES = [
    pytest.param("columns", ("Document", "PgThing", "Counter"), id="declarative-base"),
    pytest.param("mixins", ("User", "Note"), id="mixins"),
    pytest.param(
        "relations",
        ("Employee", "Student", "Course", "Enrollment", "Memo", "Transcript", "Project"),
        id="relations",
    ),
    pytest.param("imperative", ("Author", "Post", "Tag"), id="imperative-and-type"),
    pytest.param("classic", ("Legacy", "Decorated"), id="declarative-base-fn-as-declarative"),
    pytest.param("two_bases", ("Account", "AuditEntry"), id="two-bases-dataclass"),
    pytest.param("flask_like", ("Widget",), id="flask-sqlalchemy-db"),
    pytest.param("sqlmodel_like", ("Hero",), id="sqlmodel-only-table-classes"),
    pytest.param("inheritance", ("Vehicle", "Car", "Truck"), id="inheritance"),
    pytest.param("conventions", ("Warehouse", "Item"), id="schema"),
]


@pytest.mark.parametrize(("fixture", "names"), MODEL_NAMES)
def test_models_in_declaration_order(fixture: str, names: tuple[str, ...]) -> None:
    assert tuple(m.name for m in schema_of(fixture).models) == names


BASES = [
    pytest.param("columns", (TypeRef("columns", "Base"),), id="declarative-base"),
    pytest.param("imperative", (TypeRef("imperative", "Base"),), id="registry-generated-base"),
    pytest.param(
        "classic",
        (TypeRef("classic", "OldBase"), TypeRef("classic", "DecoratedBase")),
        id="named-where-bound",
    ),
    pytest.param(
        "two_bases",
        (TypeRef("two_bases", "AppBase"), TypeRef("two_bases", "AuditBase")),
        id="two-bases",
    ),
    pytest.param("flask_like", (TypeRef("flask_like", "db.Model"),), id="flask-db-model"),
    pytest.param("sqlmodel_like", (TypeRef("sqlmodel_like", "Model"),), id="sqlmodel-base"),
]


@pytest.mark.parametrize(("fixture", "bases"), BASES)
def test_bases(fixture: str, bases: tuple[TypeRef, ...]) -> None:
    assert schema_of(fixture).bases == bases


MODEL_FACTS = [
    pytest.param("columns", "Document", "table", "documents", id="table"),
    pytest.param("columns", "Document", "schema", None, id="no-schema"),
    pytest.param("columns", "Document", "module", "columns", id="module"),
    pytest.param(
        "columns", "Document", "doc", "A document with one column of each kind.", id="doc"
    ),
    pytest.param("columns", "Counter", "doc", None, id="no-doc"),
    pytest.param("two_bases", "AuditEntry", "doc", None, id="no-dataclass-signature-doc"),
    pytest.param("conventions", "Item", "schema", "inventory", id="table-args-schema"),
    pytest.param("conventions", "Item", "qualified_table", "inventory.items", id="qualified"),
    pytest.param("columns", "Document", "primary_key", ("id",), id="uuid-pk"),
    pytest.param("mixins", "Note", "primary_key", ("id",), id="mixin-pk"),
    pytest.param("imperative", "Tag", "table", "tags", id="type-created-class"),
    pytest.param("imperative", "Post", "primary_key", ("id",), id="imperative-pk"),
    pytest.param("inheritance", "Car", "table", "vehicles", id="single-table-subclass"),
    pytest.param("inheritance", "Truck", "table", "trucks", id="joined-subclass"),
    pytest.param("inheritance", "Truck", "primary_key", ("id",), id="joined-subclass-pk"),
    pytest.param("ledgers", "Ledger", "raising_on_class", ("total",), id="raising-hybrid"),
    pytest.param("ledgers", "Budget", "raising_on_class", ("total",), id="raising-inherited"),
    pytest.param("ledgers", "Entry", "raising_on_class", (), id="nothing-raises"),
    # Python-only hybrids that return a value on the class (or raise AttributeError) are fine.
    pytest.param("readonly", "Person", "raising_on_class", (), id="hybrids-that-work"),
]


@pytest.mark.parametrize(("fixture", "model_name", "attribute", "expected"), MODEL_FACTS)
def test_model_fact(fixture: str, model_name: str, attribute: str, expected: object) -> None:
    assert getattr(model(fixture, model_name), attribute) == expected


def test_dataclass_model_default_is_read() -> None:
    assert model("two_bases", "AuditEntry").column("action").default is not None


READ_ONLY = [
    pytest.param("full_name", "hybrid_property", True, "string", id="hybrid-expression"),
    pytest.param("shout", "hybrid_property", False, "string", id="hybrid-python-only"),
    pytest.param("yearly", "hybrid_property", True, "decimal", id="hybrid-type-from-expression"),
    pytest.param("label", "hybrid_property", True, "string", id="hybrid-custom-expression"),
    pytest.param("initials", "column_property", True, None, id="column-property-untyped"),
    pytest.param("pet_count", "column_property", True, "integer", id="column-property-subquery"),
]


@pytest.mark.parametrize(("key", "kind", "sql_expression", "family"), READ_ONLY)
def test_read_only_field(key: str, kind: str, sql_expression: bool, family: str | None) -> None:
    fields = {f.key: f for f in model("readonly", "Person").read_only_fields}
    field: ReadOnlyField = fields[key]
    assert (field.kind, field.sql_expression) == (kind, sql_expression)
    assert (field.type.family if field.type else None) == family


def test_read_only_fields_leave_out_aliases_and_proxies() -> None:
    keys = [f.key for f in model("readonly", "Person").read_only_fields]
    assert keys == ["full_name", "shout", "yearly", "label", "initials", "pet_count"]


def test_column_properties_are_not_columns() -> None:
    keys = [c.key for c in model("readonly", "Person").columns]
    assert keys == ["id", "first", "last", "salary"]


DIAGNOSTICS = [
    pytest.param(
        "readonly",
        Diagnostic(
            "warning",
            "Person",
            "pet_names",
            "association proxy left out; include the relationship instead",
        ),
        id="association-proxy",
    ),
]


@pytest.mark.parametrize(("fixture", "diagnostic"), DIAGNOSTICS)
def test_diagnostic(fixture: str, diagnostic: Diagnostic) -> None:
    assert diagnostic in schema_of(fixture).diagnostics


@pytest.mark.parametrize(
    "fixture",
    ["mixins", "imperative", "classic", "two_bases", "flask_like", "conventions", "inheritance"],
)
def test_clean_models_have_no_diagnostics(fixture: str) -> None:
    assert schema_of(fixture).diagnostics == ()


INHERITANCE = [
    pytest.param(
        "Vehicle",
        Inheritance(
            root="Vehicle",
            parent=None,
            kind=None,
            discriminator="kind",
            identity="vehicle",
            identities=("vehicle", "car", "truck"),
            tables=(InheritedTable("vehicles"),),
        ),
        id="root",
    ),
    pytest.param(
        "Car",
        Inheritance(
            root="Vehicle",
            parent="Vehicle",
            kind="single",
            discriminator="kind",
            identity="car",
            identities=("car",),
            tables=(InheritedTable("vehicles"),),
        ),
        id="single-table-subclass",
    ),
    pytest.param(
        "Truck",
        Inheritance(
            root="Vehicle",
            parent="Vehicle",
            kind="joined",
            discriminator="kind",
            identity="truck",
            identities=("truck",),
            tables=(InheritedTable("vehicles"), InheritedTable("trucks", ("id",), ("id",))),
        ),
        id="joined-table-subclass",
    ),
]


@pytest.mark.parametrize(("name", "inheritance"), INHERITANCE)
def test_inheritance(name: str, inheritance: Inheritance) -> None:
    assert model("inheritance", name).inheritance == inheritance


def test_a_class_alone_has_no_inheritance() -> None:
    assert model("relations", "Employee").inheritance is None


def test_a_joined_subclass_has_its_parents_columns_first() -> None:
    columns = model("inheritance", "Truck").columns
    assert [(column.key, column.table) for column in columns] == [
        ("id", "vehicles"),
        ("kind", "vehicles"),
        ("payload_tons", None),
    ]


def test_concrete_table_inheritance_serves_each_table_alone() -> None:
    schema = schema_of("hierarchy")
    assert model("hierarchy", "Account").inheritance is None
    assert model("hierarchy", "SavingsAccount").inheritance is None
    assert [column.key for column in model("hierarchy", "SavingsAccount").columns] == [
        "id",
        "owner",
        "rate",
    ]
    message = "concrete-table inheritance from Account: served as a table of its own"
    assert Diagnostic("warning", "SavingsAccount", None, message) in schema.diagnostics


def test_a_dataclass_default_factory_is_read_when_it_can_be_imported() -> None:
    checklist = model("recipes", "Checklist")
    assert checklist.column("steps").default_factory == TypeRef("builtins", "list")
    assert checklist.column("opened").default_factory == TypeRef("datetime", "datetime.now")
    assert checklist.column("code").default_factory is None
    message = "its default_factory can't be imported by name; clients must send a value"
    assert Diagnostic("warning", "Checklist", "code", message) in schema_of("recipes").diagnostics
