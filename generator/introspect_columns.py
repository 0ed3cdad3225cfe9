"""Columns, defaults, constraints and read-only fields of one mapped class.

A part of introspect.py, kept apart to keep modules short.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import inspect
import sys
import typing
from typing import Any

from sqlalchemy import CheckConstraint as SACheckConstraint
from sqlalchemy import Column as SAColumn
from sqlalchemy import Computed, Index, Sequence, Table, exc
from sqlalchemy import UniqueConstraint as SAUniqueConstraint
from sqlalchemy.ext.associationproxy import AssociationProxyExtensionType
from sqlalchemy.ext.hybrid import HybridExtensionType, hybrid_property
from sqlalchemy.orm import ColumnProperty, CompositeProperty, Mapped, Mapper
from sqlalchemy.orm import exc as orm_exc
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.schema import ColumnDefault, DefaultClause, FetchedValue, Identity
from sqlalchemy.types import NullType, TypeDecorator

from fe_gen.generator.column_types import TARGET_DIALECTS, column_type, python_column_type
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import (
    CheckConstraint,
    Column,
    ColumnType,
    Default,
    Diagnostic,
    ForeignKey,
    ReadOnlyField,
    TypeRef,
    UniqueConstraint,
)


def key_of(mapper: Mapper[Any], column: ColumnElement[Any]) -> str:
    """The attribute key that maps a Table column (`from_` for the SQL column "from")."""
    return mapper.get_property_by_column(column).key


def columns(mapper: Mapper[Any], table: Table, diagnostics: list[Diagnostic]) -> tuple[Column, ...]:
    """The mapped columns, in table order: a joined-inheritance subclass's parents' first.

    A key column shared with a parent table is listed once, as the root table's column.
    """
    model = mapper.class_.__name__
    result: list[Column] = []
    seen: set[str] = set()
    for owner in _tables(mapper):
        unique, indexed = _single_column_flags(owner)
        for column in owner.columns:
            try:
                prop = mapper.get_property_by_column(column)
            except orm_exc.UnmappedColumnError:
                if not _mapped_by_subclass(mapper, column):
                    message = "column is not mapped; left out"
                    diagnostics.append(Diagnostic("warning", model, column.name, message))
                continue
            if not isinstance(prop, ColumnProperty) or prop.key in seen:
                continue
            seen.add(prop.key)
            field = _column(model, prop, column, unique, indexed)
            field = _with_declared_type(mapper, field, column)
            field = _asyncpg_default(model, field, column, diagnostics)
            field = _dataclass_factory(mapper, field, diagnostics)
            if owner is not table:
                field = dataclasses.replace(field, table=owner.fullname)
            result.append(field)
            _column_diagnostics(model, prop, field, diagnostics)
    return tuple(result)


def _tables(mapper: Mapper[Any]) -> list[Table]:
    """The tables a mapper's rows span, the root class's first, then each subclass's down to
    this one (`mapper.tables` has no such order: three levels deep it may list its own first)."""
    chain = reversed(list(mapper.iterate_to_root()))
    tables = dict.fromkeys(ancestor.local_table for ancestor in chain)
    return [table for table in tables if isinstance(table, Table)]


def _mapped_by_subclass(mapper: Mapper[Any], column: SAColumn[Any]) -> bool:
    """True for a single-table inheritance column that another class of the hierarchy adds."""
    for sub in mapper.base_mapper.self_and_descendants:
        try:
            sub.get_property_by_column(column)
        except orm_exc.UnmappedColumnError:
            continue
        return True
    return False


def _column(
    model: str,
    prop: ColumnProperty[Any],
    column: SAColumn[Any],
    unique: set[str],
    indexed: set[str],
) -> Column:
    identity = column.identity
    return Column(
        key=prop.key,
        name=column.name,
        type=column_type(column.type),
        nullable=bool(column.nullable),
        primary_key=column.primary_key,
        autoincrement=identity is not None or column.table.autoincrement_column is column,
        unique=bool(column.unique) or column.name in unique,
        index=bool(column.index) or column.name in indexed,
        default=_default(column.default),
        server_default=_server_default(column.server_default),
        foreign_keys=_foreign_keys(model, prop.key, column),
        deferred=bool(prop.deferred),
        read_only=column.computed is not None or bool(identity is not None and identity.always),
        doc=column.doc or column.comment or None,
    )


def _dataclass_factory(mapper: Mapper[Any], field: Column, diagnostics: list[Diagnostic]) -> Column:
    """The `default_factory` of a MappedAsDataclass attribute without a column default."""
    declared = getattr(mapper.class_, "__dataclass_fields__", {}).get(field.key)
    factory = getattr(declared, "default_factory", dataclasses.MISSING)
    if factory is dataclasses.MISSING or field.default is not None:
        return field
    ref = _importable(factory)
    if ref is None:
        model = mapper.class_.__name__
        message = "its default_factory can't be imported by name; clients must send a value"
        diagnostics.append(Diagnostic("warning", model, field.key, message))
        return field
    return dataclasses.replace(field, default_factory=ref)


def _importable(fn: Any) -> TypeRef | None:
    """Where `fn` can be imported from (`datetime`, `datetime.now`), or None (a lambda)."""
    module, _, name = _dotted_name(fn).rpartition(".")
    while module and module not in sys.modules:
        module, _, outer = module.rpartition(".")
        name = f"{outer}.{name}"
    found: Any = sys.modules.get(module)
    for part in name.split("."):
        found = getattr(found, part, None)
    return TypeRef(module, name) if module and found is not None and found == fn else None


def _column_diagnostics(
    model: str, prop: ColumnProperty[Any], column: Column, diagnostics: list[Diagnostic]
) -> None:
    if column.type.python is None:
        message = f"type {column.type.sql} has no Python type; served as an opaque string"
        diagnostics.append(Diagnostic("warning", model, column.key, message))
    if column.type.encrypted:
        message = "stored encrypted: read and written, never filtered, sorted or paged on"
        diagnostics.append(Diagnostic("warning", model, column.key, message))
    if prop.deferred and prop.raiseload:
        message = "deferred with raiseload; served only when a request asks for it"
        diagnostics.append(Diagnostic("warning", model, column.key, message))


def _asyncpg_default(
    model: str, field: Column, column: SAColumn[Any], diagnostics: list[Diagnostic]
) -> Column:
    """Mark a column without time zone whose default makes aware datetimes: psycopg2
    stores them as their wall time in the session's zone, asyncpg refuses them."""
    default = column.default
    if field.type.family != "datetime" or field.type.timezone or default is None:
        return field
    if not isinstance(default, ColumnDefault) or not default.is_callable:
        return field
    try:
        value = default.arg(None)  # now()-like defaults ignore the execution context
    except Exception:  # a default that needs a real context: nothing to learn from it
        return field
    if not (isinstance(value, datetime.datetime) and value.tzinfo is not None):
        return field
    message = (
        "its default makes aware datetimes for a column without time zone, which asyncpg "
        "refuses; the generated engine stores them as UTC wall time, as psycopg2 does with "
        "a UTC session (better: DateTime(timezone=True))"
    )
    diagnostics.append(Diagnostic("warning", model, field.key, message))
    return dataclasses.replace(field, aware_default=True)


def _single_column_flags(table: Table) -> tuple[set[str], set[str]]:
    """SQL names of columns with a one-column unique constraint, and of indexed columns."""
    unique: set[str] = set()
    indexed: set[str] = set()
    for constraint in table.constraints:
        if isinstance(constraint, SAUniqueConstraint) and len(constraint.columns) == 1:
            unique.update(column.name for column in constraint.columns)
    for index in table.indexes:
        names = [column.name for column in _index_columns(index, table)]
        if len(names) == 1:
            if all(isinstance(e, SAColumn) for e in index.expressions):
                indexed.update(names)  # `lower(email)` is not an index of email itself
            if index.unique:
                unique.update(names)
    return unique, indexed


def _index_columns(index: Index, table: Table) -> tuple[SAColumn[Any], ...]:
    """The table's columns an index covers, found by name when an expression names them
    alone (`func.lower(Column("email"))`, `literal_column("email")`); none when one of
    them is not the table's (the index is then no business of the API)."""
    by_name = {column.name: column for column in table.columns}
    found = [by_name.get(column.name) for column in index.columns]
    columns = tuple(column for column in found if column is not None)
    return columns if len(columns) == len(found) else ()


def _default(default: Any) -> Default | None:
    if default is None:
        return None
    if isinstance(default, Sequence):
        return Default("sequence", _qualified(default.schema, default.name))
    if not isinstance(default, ColumnDefault):
        return None
    arg = default.arg
    if default.is_callable:
        return Default("callable", _dotted_name(arg))
    if default.is_clause_element:
        return Default("server", _sql_text(arg))
    if isinstance(arg, enum.Enum):
        return Default("scalar", f"{type(arg).__qualname__}.{arg.name}")
    return Default("scalar", repr(arg))


def _server_default(default: FetchedValue | None) -> Default | None:
    if default is None:
        return None
    if isinstance(default, Identity):
        return Default("identity", "always" if default.always else "by default")
    if isinstance(default, Computed):
        return Default("computed", _sql_text(default.sqltext))
    if isinstance(default, DefaultClause):
        arg = default.arg
        if isinstance(arg, str):
            return Default("server", "'" + arg.replace("'", "''") + "'")
        return Default("server", _sql_text(arg))
    return Default("server", type(default).__name__ + "()")


def _sql_text(clause: Any) -> str:
    """A default's SQL: generic, else as a database the project targets renders it (a custom
    construct may compile on some dialects only); its class name when none of them can."""
    for literal_binds in (True, False):
        for dialect in (None, *TARGET_DIALECTS):
            try:
                compiled = clause.compile(
                    dialect=dialect, compile_kwargs={"literal_binds": literal_binds}
                )
                return str(compiled)
            except Exception:  # the construct's own compile hooks may raise anything
                continue
    return f"{type(clause).__name__}()"


def _dotted_name(fn: Any) -> str:
    """`uuid.uuid4` for the callable behind a default, unwrapping SQLAlchemy's wrapper."""
    fn = inspect.unwrap(fn)
    if isinstance(fn, functools.partial):
        return _dotted_name(fn.func)
    owner = getattr(fn, "__self__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if isinstance(owner, type) and name:
        return f"{owner.__module__}.{owner.__qualname__}.{name.rsplit('.', 1)[-1]}"
    if name is None:
        fn, name = type(fn), type(fn).__qualname__
    module = getattr(fn, "__module__", None)
    return f"{module}.{name}" if module else name


def _foreign_keys(model: str, key: str, column: SAColumn[Any]) -> tuple[ForeignKey, ...]:
    result: list[ForeignKey] = []
    for fk in column.foreign_keys:
        try:
            target = fk.column
        except exc.SQLAlchemyError as error:
            raise FeGenError(
                f"{model}.{key}: foreign key to {fk.target_fullname!r} does not resolve "
                f"({_one_line(error)}); define or import the table it points at"
            ) from None
        result.append(
            ForeignKey(
                target_table=target.table.fullname,
                target_column=target.name,
                constraint=_name(fk.constraint.name if fk.constraint is not None else None),
                ondelete=fk.ondelete,
                onupdate=fk.onupdate,
            )
        )
    return tuple(sorted(result, key=lambda fk: (fk.target_table, fk.target_column)))


def unique_constraints(mapper: Mapper[Any], table: Table) -> tuple[UniqueConstraint, ...]:
    """Unique constraints and unique indexes, ordered by their columns' table positions."""
    positions = {column.name: index for index, column in enumerate(table.columns)}
    found: list[tuple[tuple[int, ...], UniqueConstraint]] = []
    items: list[SAUniqueConstraint | Index] = [
        c for c in table.constraints if isinstance(c, SAUniqueConstraint)
    ]
    items += [index for index in table.indexes if index.unique]
    for item in items:
        table_columns = list(
            _index_columns(item, table) if isinstance(item, Index) else item.columns
        )
        if not table_columns:
            continue
        constraint = UniqueConstraint(
            name=_name(item.name),
            columns=tuple(key_of(mapper, column) for column in table_columns),
        )
        found.append((tuple(positions[column.name] for column in table_columns), constraint))
    found.sort(key=lambda pair: (pair[0], pair[1].name or ""))
    return tuple(dict.fromkeys(constraint for _, constraint in found))


def check_constraints(table: Table) -> tuple[CheckConstraint, ...]:
    """The table's CHECK constraints as SQL text, for test samples that must satisfy them;
    one whose SQL can't be rendered is left to the database."""
    found = []
    for constraint in table.constraints:
        if not isinstance(constraint, SACheckConstraint):
            continue
        try:
            sql = str(constraint.sqltext.compile(compile_kwargs={"literal_binds": True}))
        except (exc.SQLAlchemyError, TypeError, ValueError):
            continue
        # `.ddl_if(dialect=...)` keeps the constraint to one database; SQLAlchemy has no
        # public accessor for it.
        condition = getattr(constraint, "_ddl_if", None)
        dialect = getattr(condition, "dialect", None)
        found.append(
            CheckConstraint(
                name=_name(constraint.name),
                sql=sql,
                dialect=dialect if isinstance(dialect, str) else None,
            )
        )
    return tuple(sorted(found, key=lambda check: (check.name or "", check.sql)))


def _name(name: object) -> str | None:
    """A constraint name as plain text; None for unnamed (SQLAlchemy's `_NoneName`)."""
    if not isinstance(name, str) or type(name).__name__ == "_NoneName":
        return None
    return str(name)


def read_only_fields(
    mapper: Mapper[Any], table: Table, diagnostics: list[Diagnostic]
) -> tuple[ReadOnlyField, ...]:
    """Hybrid properties and column_property attributes, served read-only."""
    model = mapper.class_.__name__
    fields: list[ReadOnlyField] = []
    for key, descriptor in mapper.all_orm_descriptors.items():
        kind = getattr(descriptor, "extension_type", None)
        if kind is HybridExtensionType.HYBRID_PROPERTY and isinstance(descriptor, hybrid_property):
            if descriptor.__name__ == key:  # not `_x_expression` of `@x.inplace.expression`
                fields.append(_hybrid(mapper, key, descriptor))
        elif kind is AssociationProxyExtensionType.ASSOCIATION_PROXY:
            message = "association proxy left out; include the relationship instead"
            diagnostics.append(Diagnostic("warning", model, key, message))
    for prop in mapper.column_attrs:
        expression = prop.columns[0]
        if not (isinstance(expression, SAColumn) and isinstance(expression.table, Table)):
            type_ = None if isinstance(expression.type, NullType) else expression.type
            field_type = column_type(type_) if type_ is not None else None
            fields.append(ReadOnlyField(prop.key, "column_property", field_type, True))
    for prop in mapper.iterate_properties:
        if isinstance(prop, CompositeProperty):
            message = "composite attribute left out; its columns are served one by one"
            diagnostics.append(Diagnostic("warning", model, prop.key, message))
    return tuple(fields)


def _hybrid(mapper: Mapper[Any], key: str, hybrid: hybrid_property[Any]) -> ReadOnlyField:
    expression = _class_level_expression(mapper.class_, key)
    field_type = _annotated_type(hybrid)
    if field_type is None and expression is not None and not isinstance(expression.type, NullType):
        field_type = column_type(expression.type)
    return ReadOnlyField(key, "hybrid_property", field_type, expression is not None)


def _class_level_expression(cls: type[Any], key: str) -> ColumnElement[Any] | None:
    """The SQL the hybrid yields on the class, or None when it only works on instances."""
    try:
        value = getattr(cls, key)
        clause = value.__clause_element__() if hasattr(value, "__clause_element__") else value
    except Exception:
        return None
    return clause if isinstance(clause, ColumnElement) else None


def _with_declared_type(mapper: Mapper[Any], field: Column, column: SAColumn[Any]) -> Column:
    """A TypeDecorator's real Python type, from the attribute's `Mapped[...]` annotation.

    A decorator's impl says how values are stored (the GUID recipe stores UUIDs as CHAR),
    not what they are; the annotation says what the model hands out.
    """
    if not isinstance(column.type, TypeDecorator):
        return field
    declared = _declared_types(mapper).get(field.key)
    if declared is None or declared.family in ("other", field.type.family):
        return field
    stored = field.type
    kept = dataclasses.replace(
        declared, sql=stored.sql, length=stored.length, dialect=stored.dialect
    )
    return dataclasses.replace(field, type=kept)


@functools.cache
def _declared_types(mapper: Mapper[Any]) -> dict[str, ColumnType]:
    """The column types that a class's `Mapped[X]` annotations name, by attribute."""
    try:
        hints = typing.get_type_hints(mapper.class_)
    except Exception:  # annotations naming what isn't importable at run time
        return {}
    found = {}
    for key, hint in hints.items():
        if typing.get_origin(hint) is Mapped:
            declared = python_column_type(typing.get_args(hint)[0])
            if declared is not None:
                found[key] = declared
    return found


def _annotated_type(hybrid: hybrid_property[Any]) -> ColumnType | None:
    try:
        hints = typing.get_type_hints(hybrid.fget)
    except Exception:
        return None
    return python_column_type(hints["return"]) if "return" in hints else None


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
