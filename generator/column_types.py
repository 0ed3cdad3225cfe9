"""SQLAlchemy column types -> `ColumnType`: the family, the SQL text and the Python type.

Reads type objects only (no mapper inspection), so introspect.py stays the one module that
knows SQLAlchemy's inspection API. Variants (`JSON().with_variant(JSONB(), "postgresql")`)
count as their base type, which works on every database the variant targets.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import types
import typing
import uuid
from typing import Any

from sqlalchemy import exc
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import registry as dialects
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultDialect, StrCompileDialect
from sqlalchemy.sql.type_api import TypeEngine

from fe_gen.generator.ir import ColumnType, EnumInfo, TypeFamily, TypeRef

_FAMILIES: tuple[tuple[type[Any], TypeFamily], ...] = (
    (sqltypes.Enum, "enum"),
    (sqltypes.Boolean, "boolean"),
    (sqltypes.Integer, "integer"),
    (sqltypes.Float, "float"),
    (sqltypes.Numeric, "decimal"),
    (sqltypes.DateTime, "datetime"),
    (sqltypes.Date, "date"),
    (sqltypes.Time, "time"),
    (sqltypes.Interval, "interval"),
    (postgresql.INTERVAL, "interval"),
    (sqltypes.Uuid, "uuid"),
    (sqltypes.JSON, "json"),
    (postgresql.HSTORE, "json"),
    (sqltypes.ARRAY, "array"),
    (sqltypes._Binary, "binary"),
    (sqltypes.String, "string"),
    (postgresql.INET, "string"),
    (postgresql.CIDR, "string"),
)
"""First match wins: Enum before String, Float before Numeric, DateTime before Date."""

_PYTHON_TYPES: tuple[tuple[type[Any], TypeEngine[Any]], ...] = (
    (bool, sqltypes.Boolean()),
    (int, sqltypes.Integer()),
    (float, sqltypes.Float()),
    (decimal.Decimal, sqltypes.Numeric()),
    (dt.datetime, sqltypes.DateTime()),
    (dt.date, sqltypes.Date()),
    (dt.time, sqltypes.Time()),
    (dt.timedelta, sqltypes.Interval()),
    (uuid.UUID, sqltypes.Uuid()),
    (str, sqltypes.String()),
    (bytes, sqltypes.LargeBinary()),
    (dict, sqltypes.JSON()),
    (list, sqltypes.JSON()),
)
"""How a hybrid property's return annotation maps to a column type."""

_POSTGRESQL: Dialect = dialects.load("postgresql")()
_SQLITE: Dialect = dialects.load("sqlite")()
TARGET_DIALECTS: tuple[Dialect, ...] = (_POSTGRESQL, _SQLITE)
"""The databases a generated project runs on."""

_ENCRYPTED_MODULE = "sqlalchemy_utils.types.encrypted"


def column_type(type_: TypeEngine[Any]) -> ColumnType:
    """Describe one column type; `python` is None when SQLAlchemy cannot tell."""
    impl = _implementation(type_)
    family = _family(type_)
    if family == "other":
        family = _family(impl)
    python = _python_type(type_, impl, family)
    loaded = _family_on_postgresql(type_)
    if python == type_ref(uuid.UUID) and family in ("string", "binary", "other"):
        family = "uuid"  # the GUID recipe: UUIDs stored as text or bytes
    if loaded == "uuid" and family != "uuid":
        family, python = "uuid", type_ref(uuid.UUID)
    elif loaded == "json" and family != "json":
        family, python = "json", type_ref(object)
    if family == "decimal" and not getattr(impl, "asdecimal", True):
        family = "float"
    numeric = isinstance(impl, sqltypes.Numeric | sqltypes.Float)
    return ColumnType(
        family=family,
        sql=_sql(type_),
        python=python,
        length=_int_attr(impl, "length"),
        precision=_int_attr(impl, "precision") if numeric else None,
        scale=_int_attr(impl, "scale") if numeric else None,
        timezone=bool(getattr(impl, "timezone", False)) or _reads_aware(type_, family),
        enum=_enum_info(impl) if isinstance(impl, sqltypes.Enum) else None,
        item=_item_type(impl),
        dialect=_dialect(type_),
        encrypted=_encrypted(type_),
        sql_uuid=type(impl) is sqltypes.UUID,
    )


def python_column_type(annotation: object) -> ColumnType | None:
    """The column type for a Python annotation (`str`, `Decimal | None`, an Enum), if any."""
    annotation = _strip_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return column_type(sqltypes.Enum(annotation))
    for python, type_ in _PYTHON_TYPES:
        if annotation is python:
            return column_type(type_)
    return None


def _strip_optional(annotation: object) -> object:
    annotation = _unannotated(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return _unannotated(args[0])
    return typing.get_origin(annotation) or annotation


def _unannotated(annotation: object) -> object:
    """`uuid.UUID` for pydantic's `UUID4` (`Annotated[UUID, UuidVersion(4)]`): the API
    serves any UUID, whatever version the models' own validation asks for."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, uuid.UUID):
        return uuid.UUID
    return annotation


def _implementation(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """A TypeDecorator's impl (the family of types SQLAlchemy does not know), else the type."""
    while isinstance(type_, sqltypes.TypeDecorator):
        type_ = type_.impl_instance
    return type_


def _family_on_postgresql(type_: TypeEngine[Any]) -> TypeFamily | None:
    """The family of a TypeDecorator that loads a UUID or JSON type on PostgreSQL and a text
    or binary fallback elsewhere, whatever its impl or its `Mapped[...]` annotation say.

    The backend-agnostic GUID recipe (CHAR(32) elsewhere) hands out `uuid.UUID` values, and
    sqlalchemy-utils' JSONType (TEXT elsewhere) JSON values, which PostgreSQL stores as
    `json`: neither compares nor sorts as text there.
    """
    if not isinstance(type_, sqltypes.TypeDecorator):
        return None
    try:
        loaded = _implementation(type_.load_dialect_impl(_POSTGRESQL))
    except Exception:  # a decorator's own code: any failure just means "not a recipe"
        return None
    family = _family(loaded)
    return family if family in ("uuid", "json") else None


def _reads_aware(type_: TypeEngine[Any], family: TypeFamily) -> bool:
    """A TypeDecorator that stores UTC wall time without a zone and marks what it reads as
    UTC (mealie's NaiveDateTime) serves aware datetimes, as `DateTime(timezone=True)` does."""
    if family != "datetime" or not isinstance(type_, sqltypes.TypeDecorator):
        return False
    for dialect in (_SQLITE, _POSTGRESQL):
        try:
            value = type_.process_result_value(dt.datetime(2024, 1, 1), dialect)
        except Exception:  # a decorator's own code, or one that doesn't process results
            continue
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return True
    return False


def _family(impl: TypeEngine[Any]) -> TypeFamily:
    for cls, family in _FAMILIES:
        if isinstance(impl, cls):
            return family
    return "other"


def _sql(type_: TypeEngine[Any]) -> str:
    """Generic SQL, else PostgreSQL's; a variant's base type renders without the variant."""
    candidates: list[Dialect] = [DefaultDialect()]
    if not getattr(type_, "_variant_mapping", None):
        candidates.append(dialects.load("postgresql")())
    candidates.append(StrCompileDialect())
    for dialect in candidates:
        try:
            return str(type_.compile(dialect=dialect))
        # AttributeError: a UserDefinedType with no get_col_spec, compiled by a @compiles
        # rule for some databases only.
        except (
            exc.CompileError,
            exc.UnsupportedCompilationError,
            NotImplementedError,
            AttributeError,
        ):
            continue
    return type(type_).__name__


def _python_type(
    type_: TypeEngine[Any], impl: TypeEngine[Any], family: TypeFamily
) -> TypeRef | None:
    if isinstance(impl, sqltypes.Enum) and impl.enum_class is not None:
        return type_ref(impl.enum_class)
    for candidate in (type_, impl):
        try:
            python = _strip_optional(candidate.python_type)
        except NotImplementedError:
            continue
        if isinstance(python, type) and python is not object:  # TypeDecorators say `object`
            return type_ref(python)
    return type_ref(object) if family == "json" else None


def _encrypted(type_: TypeEngine[Any]) -> bool:
    """Whether the type stores its values encrypted: sqlalchemy-utils' EncryptedType and
    StringEncryptedType (known by their module, so fe-gen never imports sqlalchemy-utils),
    or a class named like them, as the recipes that copy them are."""
    while True:
        for cls in type(type_).__mro__:
            if "encrypted" in cls.__name__.lower() or cls.__module__.startswith(_ENCRYPTED_MODULE):
                return True
        if not isinstance(type_, sqltypes.TypeDecorator):
            return False
        type_ = type_.impl_instance


def type_ref(cls: type[Any]) -> TypeRef:
    """Where a class is defined: `TypeRef("decimal", "Decimal")`."""
    return TypeRef(module=cls.__module__, name=cls.__qualname__)


def _int_attr(impl: TypeEngine[Any], name: str) -> int | None:
    value = getattr(impl, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _enum_info(impl: sqltypes.Enum) -> EnumInfo:
    values = tuple(str(value) for value in impl.enums)
    cls = impl.enum_class
    members: tuple[str, ...] = ()
    if cls is not None:
        names = tuple(cls.__members__)
        members = names if len(names) == len(values) else tuple(m.name for m in cls)
    return EnumInfo(
        values=values,
        python_class=type_ref(cls) if cls is not None else None,
        members=members if len(members) == len(values) else (),
        sql_name=impl.name,
        native=bool(impl.native_enum),
    )


def _item_type(impl: TypeEngine[Any]) -> ColumnType | None:
    if isinstance(impl, sqltypes.ARRAY):
        return column_type(impl.item_type)
    return None


def _dialect(type_: TypeEngine[Any]) -> str | None:
    """`postgresql` for types only PostgreSQL has (JSONB, INET, ARRAY, its ENUM ...)."""
    if isinstance(type_, sqltypes.ARRAY):
        return "postgresql"
    module = type(_implementation(type_)).__module__
    prefix = "sqlalchemy.dialects."
    if module.startswith(prefix):
        return module[len(prefix) :].split(".")[0]
    return None
