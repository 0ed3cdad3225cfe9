"""Columns as introspect reads them from the model fixtures, one attribute per case."""

from __future__ import annotations

import pytest
from model_fixtures import column, model, schema_of

from fe_gen.generator.ir import Default, ForeignKey, TypeRef, UniqueConstraint

COLUMN_FACTS = [
    # keys, names, nullability
    pytest.param("columns", "Document", "from_", "name", "from", id="key-differs-from-sql-name"),
    pytest.param("columns", "Document", "from_", "unique", True, id="unique-flag"),
    pytest.param("columns", "Document", "title", "nullable", False, id="not-null"),
    pytest.param("columns", "Document", "body", "nullable", True, id="nullable"),
    pytest.param("columns", "Document", "title", "doc", "Shown in lists", id="doc"),
    pytest.param("columns", "Document", "body", "doc", "Markdown", id="comment-as-doc"),
    # primary keys
    pytest.param("columns", "Document", "id", "primary_key", True, id="uuid-pk"),
    pytest.param("columns", "Document", "id", "autoincrement", False, id="uuid-pk-no-autoinc"),
    pytest.param(
        "columns",
        "Document",
        "id",
        "default",
        Default("callable", "uuid.uuid4"),
        id="uuid4-default",
    ),
    pytest.param("columns", "Counter", "id", "autoincrement", True, id="integer-pk-autoinc"),
    pytest.param("columns", "PgThing", "id", "autoincrement", True, id="identity-autoinc"),
    pytest.param("columns", "PgThing", "id", "read_only", True, id="identity-always-read-only"),
    pytest.param(
        "columns",
        "PgThing",
        "id",
        "server_default",
        Default("identity", "always"),
        id="identity-default",
    ),
    pytest.param("mixins", "User", "id", "primary_key", True, id="mixin-pk"),
    pytest.param("mixins", "User", "id", "autoincrement", True, id="mixin-pk-autoinc"),
    # defaults
    pytest.param(
        "columns", "Document", "status", "default", Default("scalar", "Status.draft"), id="enum"
    ),
    pytest.param("columns", "Document", "rank", "default", Default("scalar", "0"), id="scalar"),
    pytest.param(
        "columns",
        "Document",
        "updated_at",
        "default",
        Default("callable", "columns.utcnow"),
        id="callable-function",
    ),
    pytest.param(
        "columns",
        "Document",
        "touched_at",
        "default",
        Default("callable", "datetime.datetime.now"),
        id="callable-classmethod",
    ),
    pytest.param(
        "columns",
        "Document",
        "created_at",
        "server_default",
        Default("server", "now()"),
        id="server-func-now",
    ),
    pytest.param(
        "columns",
        "Document",
        "token",
        "server_default",
        Default("server", "gen_random_uuid()"),
        id="server-text",
    ),
    pytest.param(
        "columns",
        "Document",
        "views",
        "server_default",
        Default("server", "'0'"),
        id="server-string",
    ),
    pytest.param(
        "columns",
        "PgThing",
        "serial",
        "default",
        Default("sequence", "pg_things_serial_seq"),
        id="sequence",
    ),
    pytest.param(
        "columns",
        "PgThing",
        "doubled",
        "server_default",
        Default("computed", "id * 2"),
        id="computed",
    ),
    pytest.param("columns", "PgThing", "doubled", "read_only", True, id="computed-read-only"),
    pytest.param("columns", "Document", "title", "default", None, id="no-default"),
    pytest.param(
        "mixins",
        "Note",
        "created_at",
        "server_default",
        Default("server", "now()"),
        id="declared-attr-mixin",
    ),
    # deferred, indexes, uniqueness
    pytest.param("columns", "Document", "body", "deferred", True, id="deferred"),
    pytest.param("columns", "Document", "secret", "deferred", True, id="deferred-raiseload"),
    pytest.param("columns", "Document", "title", "deferred", False, id="not-deferred"),
    pytest.param("columns", "Document", "slug", "index", True, id="single-column-index"),
    pytest.param("columns", "Counter", "document_id", "index", True, id="index-flag"),
    pytest.param("columns", "PgThing", "email", "unique", True, id="unique-index"),
    pytest.param("columns", "PgThing", "email", "index", True, id="unique-index-is-index"),
    pytest.param("conventions", "Item", "barcode", "unique", True, id="named-unique-constraint"),
    pytest.param("conventions", "Item", "sku", "unique", False, id="multi-column-not-unique"),
    pytest.param("conventions", "Item", "name", "index", False, id="multi-column-index"),
]


@pytest.mark.parametrize(("fixture", "model_name", "key", "attribute", "expected"), COLUMN_FACTS)
def test_column_fact(
    fixture: str, model_name: str, key: str, attribute: str, expected: object
) -> None:
    assert getattr(column(fixture, model_name, key), attribute) == expected


TYPE_FACTS = [
    pytest.param("Document", "id", "family", "uuid", id="uuid"),
    pytest.param("Document", "title", "length", 200, id="string-length"),
    pytest.param("Document", "price", "family", "decimal", id="numeric"),
    pytest.param("Document", "price", "precision", 10, id="numeric-precision"),
    pytest.param("Document", "price", "scale", 2, id="numeric-scale"),
    pytest.param("Document", "published_at", "timezone", True, id="datetime-tz"),
    pytest.param("Document", "created_at", "timezone", False, id="datetime-naive"),
    pytest.param("Document", "data", "family", "json", id="json"),
    pytest.param("Document", "blob", "family", "binary", id="binary"),
    pytest.param("Document", "location", "python", None, id="opaque-type"),
    pytest.param("Document", "location", "sql", "POINT", id="opaque-sql"),
    pytest.param("Document", "status", "python", TypeRef("columns", "Status"), id="enum-python"),
    pytest.param("Document", "mood", "python", TypeRef("builtins", "str"), id="string-enum"),
    pytest.param("PgThing", "payload", "dialect", "postgresql", id="jsonb"),
    pytest.param("PgThing", "payload", "sql", "JSONB", id="jsonb-sql"),
    pytest.param("PgThing", "either", "dialect", None, id="variant-is-portable"),
    pytest.param("PgThing", "either", "sql", "JSON", id="variant-base-sql"),
    pytest.param("PgThing", "scores", "family", "array", id="array"),
    pytest.param("PgThing", "scores", "sql", "INTEGER[]", id="array-sql"),
    pytest.param("PgThing", "address", "sql", "INET", id="inet"),
    pytest.param("PgThing", "email", "sql", "CITEXT", id="citext"),
    pytest.param("PgThing", "search", "sql", "TSVECTOR", id="tsvector"),
    pytest.param("PgThing", "search", "family", "other", id="tsvector-family"),
]


@pytest.mark.parametrize(("model_name", "key", "attribute", "expected"), TYPE_FACTS)
def test_column_type_fact(model_name: str, key: str, attribute: str, expected: object) -> None:
    assert getattr(column("columns", model_name, key).type, attribute) == expected


def test_array_item_type() -> None:
    item = column("columns", "PgThing", "scores").type.item
    assert item is not None
    assert (item.family, item.sql) == ("integer", "INTEGER")


@pytest.mark.parametrize(
    ("key", "values", "members", "python_class", "sql_name"),
    [
        pytest.param(
            "status",
            ("draft", "published"),
            ("draft", "published"),
            TypeRef("columns", "Status"),
            "status",
            id="stores-member-names",
        ),
        pytest.param(
            "color",
            ("red", "dark-blue"),
            ("red", "dark_blue"),
            TypeRef("columns", "Color"),
            "color_enum",
            id="values-callable-stores-values",
        ),
        pytest.param("mood", ("happy", "sad"), (), None, "mood", id="strings"),
    ],
)
def test_enum_info(
    key: str,
    values: tuple[str, ...],
    members: tuple[str, ...],
    python_class: TypeRef | None,
    sql_name: str,
) -> None:
    info = column("columns", "Document", key).type.enum
    assert info is not None
    assert (info.values, info.members, info.python_class, info.sql_name) == (
        values,
        members,
        python_class,
        sql_name,
    )


def test_foreign_key_with_actions_and_name() -> None:
    assert column("columns", "Counter", "document_id").foreign_keys == (
        ForeignKey("documents", "id", constraint="fk_doc", ondelete="CASCADE", onupdate="RESTRICT"),
    )


def test_foreign_key_to_a_schema_is_qualified_and_named_by_convention() -> None:
    assert column("conventions", "Item", "warehouse_id").foreign_keys == (
        ForeignKey("inventory.warehouses", "id", constraint="fk_items_warehouse_id_warehouses"),
    )


def test_foreign_key_from_a_mixin() -> None:
    assert column("mixins", "Note", "owner_id").foreign_keys == (ForeignKey("users", "id"),)


@pytest.mark.parametrize(
    ("fixture", "model_name", "keys"),
    [
        pytest.param(
            "columns",
            "Counter",
            ("id", "document_id"),
            id="declaration-order",
        ),
        pytest.param("mixins", "Note", ("text", "id", "owner_id", "created_at"), id="mixins"),
        pytest.param("inheritance", "Car", ("id", "kind", "doors"), id="single-table-subclass"),
        pytest.param("inheritance", "Vehicle", ("id", "kind"), id="single-table-base"),
        pytest.param("inheritance", "Truck", ("id", "kind", "payload_tons"), id="joined-subclass"),
    ],
)
def test_columns_in_table_order(fixture: str, model_name: str, keys: tuple[str, ...]) -> None:
    assert tuple(c.key for c in model(fixture, model_name).columns) == keys


@pytest.mark.parametrize(
    ("fixture", "model_name", "expected"),
    [
        pytest.param(
            "conventions",
            "Item",
            (
                UniqueConstraint("uq_items_warehouse_id_sku", ("warehouse_id", "sku")),
                UniqueConstraint("barcode_is_unique", ("barcode",)),
                UniqueConstraint("ix_items_name_color", ("name", "color")),
            ),
            id="named-multi-and-unique-index",
        ),
        pytest.param(
            "conventions",
            "Warehouse",
            (UniqueConstraint("uq_warehouses_code", ("code",)),),
            id="unique-flag-named-by-convention",
        ),
        pytest.param(
            "columns",
            "Document",
            (UniqueConstraint(None, ("from_",)),),
            id="unnamed-by-attribute-key",
        ),
        pytest.param("columns", "Counter", (), id="none"),
    ],
)
def test_unique_constraints(
    fixture: str, model_name: str, expected: tuple[UniqueConstraint, ...]
) -> None:
    assert model(fixture, model_name).unique_constraints == expected


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        pytest.param(
            "Document.location",
            "type POINT has no Python type; served as an opaque string",
            id="opaque-type",
        ),
        pytest.param(
            "PgThing.search",
            "type TSVECTOR has no Python type; served as an opaque string",
            id="tsvector",
        ),
        pytest.param(
            "Document.secret",
            "deferred with raiseload; served only when a request asks for it",
            id="raiseload",
        ),
    ],
)
def test_column_warnings(attribute: str, message: str) -> None:
    assert f"{attribute}: {message}" in {str(d) for d in schema_of("columns").diagnostics}
