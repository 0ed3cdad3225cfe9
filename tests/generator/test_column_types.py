"""column_type(): SQLAlchemy types -> family, SQL, Python type, sizes, dialect."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import Any

import pytest
from sqlalchemy import (
    ARRAY,
    BINARY,
    CHAR,
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Enum,
    Float,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    Unicode,
    UnicodeText,
    Uuid,
)
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.types import UserDefinedType

from fe_gen.generator.column_types import column_type, python_column_type
from fe_gen.generator.ir import ColumnType, TypeRef


class Shade(enum.Enum):
    light = 1
    dark = 2


class Lower(TypeDecorator[str]):
    impl = String(20)
    cache_ok = True


class GUID(TypeDecorator[Any]):
    """The backend-agnostic GUID recipe: UUID on PostgreSQL, CHAR(32) hex elsewhere."""

    impl = CHAR
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(pg.UUID())
        return dialect.type_descriptor(CHAR(32))


class BinaryGUID(TypeDecorator[Any]):
    impl = BINARY(16)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return pg.UUID() if dialect.name == "postgresql" else BINARY(16)


class JSONText(TypeDecorator[Any]):
    """sqlalchemy-utils' JSONType: json on PostgreSQL, JSON text in a TEXT column elsewhere."""

    impl = UnicodeText
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(JSON() if dialect.name == "postgresql" else UnicodeText())


class UtcWallTime(TypeDecorator[dt.datetime]):
    """Stores UTC wall time without a zone and reads it back as UTC (mealie's NaiveDateTime)."""

    impl = DateTime
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return value.replace(tzinfo=dt.UTC) if value is not None else value


class Stamp(TypeDecorator[dt.datetime]):
    impl = DateTime
    cache_ok = True


class Opaque(UserDefinedType[Any]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "OPAQUE"


FAMILIES = [
    pytest.param(Integer(), "integer", "INTEGER", "builtins.int", id="integer"),
    pytest.param(BigInteger(), "integer", "BIGINT", "builtins.int", id="bigint"),
    pytest.param(SmallInteger(), "integer", "SMALLINT", "builtins.int", id="smallint"),
    pytest.param(Float(), "float", "FLOAT", "builtins.float", id="float"),
    pytest.param(Double(), "float", "DOUBLE", "builtins.float", id="double"),
    pytest.param(Numeric(10, 2), "decimal", "NUMERIC(10, 2)", "decimal.Decimal", id="numeric"),
    pytest.param(
        Numeric(asdecimal=False), "float", "NUMERIC", "builtins.float", id="numeric-as-float"
    ),
    pytest.param(Boolean(), "boolean", "BOOLEAN", "builtins.bool", id="boolean"),
    pytest.param(Date(), "date", "DATE", "datetime.date", id="date"),
    pytest.param(DateTime(), "datetime", "DATETIME", "datetime.datetime", id="datetime"),
    pytest.param(Time(), "time", "TIME", "datetime.time", id="time"),
    pytest.param(Interval(), "interval", "DATETIME", "datetime.timedelta", id="interval"),
    pytest.param(pg.INTERVAL(), "interval", "INTERVAL", "datetime.timedelta", id="pg-interval"),
    pytest.param(Uuid(), "uuid", "CHAR(32)", "uuid.UUID", id="uuid"),
    pytest.param(pg.UUID(), "uuid", "UUID", "uuid.UUID", id="pg-uuid"),
    pytest.param(String(20), "string", "VARCHAR(20)", "builtins.str", id="string"),
    pytest.param(Text(), "string", "TEXT", "builtins.str", id="text"),
    pytest.param(Unicode(5), "string", "VARCHAR(5)", "builtins.str", id="unicode"),
    pytest.param(pg.CITEXT(), "string", "CITEXT", "builtins.str", id="citext"),
    pytest.param(LargeBinary(), "binary", "BLOB", "builtins.bytes", id="binary"),
    pytest.param(pg.BYTEA(), "binary", "BYTEA", "builtins.bytes", id="bytea"),
    pytest.param(JSON(), "json", "JSON", "builtins.object", id="json"),
    pytest.param(pg.JSONB(), "json", "JSONB", "builtins.object", id="jsonb"),
    pytest.param(pg.HSTORE(), "json", "HSTORE", "builtins.object", id="hstore"),
    pytest.param(ARRAY(Integer), "array", "INTEGER[]", "builtins.list", id="array"),
    pytest.param(pg.ARRAY(String(3)), "array", "VARCHAR(3)[]", "builtins.list", id="pg-array"),
    pytest.param(Enum(Shade), "enum", "VARCHAR(5)", "test_column_types.Shade", id="enum-class"),
    pytest.param(Enum("a", "bb", name="ab"), "enum", "VARCHAR(2)", "builtins.str", id="enum-str"),
    pytest.param(Lower(), "string", "VARCHAR(20)", "builtins.str", id="type-decorator"),
    pytest.param(GUID(), "uuid", "CHAR(32)", "uuid.UUID", id="guid-recipe-char"),
    pytest.param(BinaryGUID(), "uuid", "BINARY(16)", "uuid.UUID", id="guid-recipe-binary"),
    pytest.param(JSONText(), "json", "TEXT", "builtins.object", id="json-recipe-text"),
    pytest.param(pg.INET(), "string", "INET", None, id="inet"),
    pytest.param(pg.CIDR(), "string", "CIDR", None, id="cidr"),
    pytest.param(pg.TSVECTOR(), "other", "TSVECTOR", None, id="tsvector"),
    pytest.param(pg.MONEY(), "other", "MONEY", None, id="money"),
    pytest.param(Opaque(), "other", "OPAQUE", None, id="user-defined"),
]


@pytest.mark.parametrize(("type_", "family", "sql", "python"), FAMILIES)
def test_family_sql_and_python(
    type_: TypeEngine[Any], family: str, sql: str, python: str | None
) -> None:
    result = column_type(type_)
    assert (result.family, result.sql) == (family, sql)
    assert (result.python.dotted if result.python else None) == python


DIALECTS = [
    pytest.param(pg.JSONB(), "postgresql", id="jsonb"),
    pytest.param(pg.ARRAY(Integer), "postgresql", id="pg-array"),
    pytest.param(ARRAY(Integer), "postgresql", id="generic-array"),
    pytest.param(pg.INET(), "postgresql", id="inet"),
    pytest.param(pg.CIDR(), "postgresql", id="cidr"),
    pytest.param(pg.CITEXT(), "postgresql", id="citext"),
    pytest.param(pg.TSVECTOR(), "postgresql", id="tsvector"),
    pytest.param(pg.HSTORE(), "postgresql", id="hstore"),
    pytest.param(pg.ENUM("x", "y", name="xy"), "postgresql", id="pg-enum"),
    pytest.param(JSON().with_variant(pg.JSONB(), "postgresql"), None, id="variant"),
    pytest.param(JSON(), None, id="json"),
    pytest.param(String(), None, id="string"),
    pytest.param(pg.UUID(), None, id="pg-uuid-is-generic"),
]


@pytest.mark.parametrize(("type_", "dialect"), DIALECTS)
def test_dialect(type_: TypeEngine[Any], dialect: str | None) -> None:
    assert column_type(type_).dialect == dialect


def test_variant_reads_as_its_base_type() -> None:
    result = column_type(JSON().with_variant(pg.JSONB(), "postgresql"))
    assert (result.family, result.sql, result.dialect) == ("json", "JSON", None)


SIZES = [
    pytest.param(String(200), {"length": 200}, id="string-length"),
    pytest.param(Numeric(10, 2), {"precision": 10, "scale": 2}, id="numeric"),
    pytest.param(Float(precision=24), {"precision": 24, "scale": None}, id="float-precision"),
    pytest.param(DateTime(timezone=True), {"timezone": True}, id="datetime-tz"),
    pytest.param(DateTime(), {"timezone": False}, id="datetime-naive"),
    pytest.param(UtcWallTime(), {"timezone": True}, id="decorator-reads-aware"),
    pytest.param(Stamp(), {"timezone": False}, id="decorator-reads-naive"),
    pytest.param(Time(timezone=True), {"timezone": True}, id="time-tz"),
    pytest.param(Text(), {"length": None}, id="text-no-length"),
    pytest.param(Integer(), {"length": None, "precision": None}, id="integer-none"),
]


@pytest.mark.parametrize(("type_", "expected"), SIZES)
def test_sizes(type_: TypeEngine[Any], expected: dict[str, object]) -> None:
    result = column_type(type_)
    assert {name: getattr(result, name) for name in expected} == expected


def test_array_item_type() -> None:
    item = column_type(pg.ARRAY(Numeric(5, 1))).item
    assert item == ColumnType(
        family="decimal",
        sql="NUMERIC(5, 1)",
        python=TypeRef("decimal", "Decimal"),
        precision=5,
        scale=1,
    )


def test_enum_of_a_python_enum_stores_member_names() -> None:
    info = column_type(Enum(Shade)).enum
    assert info is not None
    assert info.values == ("light", "dark")
    assert info.members == ("light", "dark")
    assert info.python_class == TypeRef("test_column_types", "Shade")
    assert (info.sql_name, info.native) == ("shade", True)


def test_enum_with_values_callable_stores_values() -> None:
    type_ = Enum(Shade, values_callable=lambda cls: [str(m.value) for m in cls], name="shades")
    info = column_type(type_).enum
    assert info is not None
    assert (info.values, info.members, info.sql_name) == (("1", "2"), ("light", "dark"), "shades")


def test_enum_of_strings() -> None:
    info = column_type(Enum("a", "bb", name="ab", native_enum=False)).enum
    assert info is not None
    assert (info.values, info.members, info.python_class, info.native) == (
        ("a", "bb"),
        (),
        None,
        False,
    )


ANNOTATIONS = [
    pytest.param(int, "integer", id="int"),
    pytest.param(str, "string", id="str"),
    pytest.param(bool, "boolean", id="bool"),
    pytest.param(float, "float", id="float"),
    pytest.param(decimal.Decimal, "decimal", id="decimal"),
    pytest.param(dt.datetime, "datetime", id="datetime"),
    pytest.param(dt.date, "date", id="date"),
    pytest.param(dt.time, "time", id="time"),
    pytest.param(dt.timedelta, "interval", id="timedelta"),
    pytest.param(uuid.UUID, "uuid", id="uuid"),
    pytest.param(bytes, "binary", id="bytes"),
    pytest.param(dict[str, int], "json", id="dict"),
    pytest.param(list[int], "json", id="list"),
    pytest.param(str | None, "string", id="optional"),
    pytest.param(Shade, "enum", id="enum"),
]


@pytest.mark.parametrize(("annotation", "family"), ANNOTATIONS)
def test_python_annotation(annotation: object, family: str) -> None:
    result = python_column_type(annotation)
    assert result is not None
    assert result.family == family


@pytest.mark.parametrize(
    "annotation",
    [
        pytest.param(object, id="object"),
        pytest.param(int | str, id="union"),
        pytest.param("str", id="string-forward-ref"),
    ],
)
def test_python_annotation_unknown(annotation: object) -> None:
    assert python_column_type(annotation) is None
