"""The statements that create and drop the models' tables, per database: the initial migration.

The generated project's first Alembic revision runs these statements, frozen when the
project was generated, so that its history stays true when the models change later (a
revision that called `create_all` would also create the columns a later revision adds, which
would then fail). They are what `MetaData.create_all` runs, captured through a mock
connection: enum types, sequences, foreign keys in a cycle (added afterwards on PostgreSQL;
SQLite has none, as `create_all` makes them there), indexes, comments, custom types compiled
to their SQL and the models' own DDL hooks, as the project's `create_tables` makes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import groupby
from typing import Any

from sqlalchemy import BigInteger, Column, Dialect, MetaData, SmallInteger, Table
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType, DropEnumType
from sqlalchemy.dialects.sqlite.base import SQLiteDialect, SQLiteTypeCompiler
from sqlalchemy.engine.mock import MockConnection
from sqlalchemy.exc import CompileError, UnsupportedCompilationError
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateSequence,
    CreateTable,
    DropSequence,
    DropTable,
)
from sqlalchemy.sql.ddl import ExecutableDDLElement

from fe_gen.generator.ir import Ddl, DdlFailure

DATABASES = ("postgresql", "sqlite")

_CANNOT_COMPILE = (CompileError, UnsupportedCompilationError, AttributeError, NotImplementedError)
"""What compiling DDL for a database that can't have it raises: SQLAlchemy's errors, and
AttributeError from a UserDefinedType without get_col_spec, which a @compiles rule of the
models renders for other databases only."""


def ddl(metadata: Iterable[MetaData]) -> tuple[Ddl, ...]:
    """The models' DDL on each database that can create all their tables."""
    return ddl_and_failures(metadata)[0]


def ddl_and_failures(
    metadata: Iterable[MetaData],
) -> tuple[tuple[Ddl, ...], tuple[DdlFailure, ...]]:
    """The models' DDL on each database that can create all their tables, and why each
    other database can't."""
    found = [_ddl(tuple(metadata), database) for database in DATABASES]
    return (
        tuple(each for each in found if isinstance(each, Ddl)),
        tuple(each for each in found if isinstance(each, DdlFailure)),
    )


def _ddl(metadata: tuple[MetaData, ...], database: str) -> Ddl | DdlFailure:
    dialect = _dialect(metadata, database)
    created: list[ExecutableDDLElement] = []
    create: list[str] = []

    def executor(element: Any, *_multiparams: Any, **_params: Any) -> None:
        if not isinstance(element, ExecutableDDLElement):
            raise CompileError(f"a DDL hook runs {type(element).__name__}, not DDL")
        created.append(element)
        create.append(_compile(element, dialect))

    connection = MockConnection(dialect, executor)
    try:
        for each in metadata:
            with _as_the_project_creates(each, database):
                each.create_all(connection, checkfirst=False)
        drop = _drops(created, dialect)
    except _CANNOT_COMPILE as error:
        return DdlFailure(database, _reason(error, metadata, dialect))
    return Ddl(database=database, create=_stable(created, create), drop=drop)


def _stable(created: list[ExecutableDDLElement], create: list[str]) -> tuple[str, ...]:
    """The statements, with each run of a table's indexes, or of the foreign keys added after
    the tables (a cycle's), in the order of their SQL: SQLAlchemy keeps them in sets, whose
    order varies from one run to the next."""
    ordered: list[str] = []
    for kind, run in groupby(zip(created, create, strict=True), key=_unordered_kind):
        statements = [statement for _element, statement in run]
        ordered += sorted(statements) if kind is not None else statements
    return tuple(ordered)


def _unordered_kind(pair: tuple[ExecutableDDLElement, str]) -> type | None:
    element = pair[0]
    return type(element) if isinstance(element, AddConstraint | CreateIndex) else None


def _drops(created: list[ExecutableDDLElement], dialect: Dialect) -> tuple[str, ...]:
    """Drop what was created, tables first. On PostgreSQL one DROP ... CASCADE takes every
    table, whatever order their foreign keys need (even a cycle of them)."""
    tables = [element.element for element in created if isinstance(element, CreateTable)]
    others: list[ExecutableDDLElement] = []
    for element in reversed(created):
        if isinstance(element, CreateSequence):
            others.append(DropSequence(element.element, if_exists=True))
        elif isinstance(element, CreateEnumType):
            others.append(DropEnumType(element.element))
    if dialect.name == "postgresql":
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table) for table in tables)
        drops = [f"DROP TABLE IF EXISTS {names} CASCADE"] if names else []
    else:
        drops = [_compile(DropTable(table, if_exists=True), dialect) for table in reversed(tables)]
    return (*drops, *(_compile(element, dialect) for element in others))


def _reason(error: Exception, metadata: tuple[MetaData, ...], dialect: Dialect) -> str:
    """Why the DDL doesn't compile, in one line that is the same on every run: the column
    whose type is at fault, or else the error without the addresses SQLAlchemy puts in."""
    for each in metadata:
        for table in each.tables.values():
            for column in table.columns:
                try:
                    column.type.compile(dialect=dialect)
                except _CANNOT_COMPILE:
                    return (
                        f"(in table '{table.name}', column '{column.key}'): the type "
                        f"{type(column.type).__name__} has no SQL for {dialect.name}"
                    )
    message = _ADDRESS.sub("", " ".join(str(error).split()))
    return message or type(error).__name__


_ADDRESS = re.compile(r" object at 0x[0-9a-f]+")


def _compile(element: ExecutableDDLElement, dialect: Dialect) -> str:
    return str(element.compile(dialect=dialect)).strip()


POSTGRESQL_VERSION = (15, 0)
"""The oldest PostgreSQL still supported: SQL compiled for it runs on the later ones too (a
computed column is STORED, where compiled for 18 it would be VIRTUAL, which 15 lacks)."""


def _dialect(metadata: tuple[MetaData, ...], database: str) -> Dialect:
    if database == "postgresql":
        # Named parameters: the SQL keeps a literal % as it is (pyformat would double it).
        postgresql = PGDialect(paramstyle="named")  # type: ignore[no-untyped-call]
        postgresql.server_version_info = POSTGRESQL_VERSION
        postgresql.supports_virtual_generated_columns = False  # as connecting to 15 sets it
        return postgresql
    return _SQLiteIntegerKeys() if _integer_keys(metadata) else _SQLite()


@contextmanager
def _as_the_project_creates(metadata: MetaData, database: str) -> Iterator[None]:
    """On SQLite, `sqlite_autoincrement` on every table, as the project's `create_tables`
    sets it. The models are left as they were: their own setting is put back, and so is the
    foreign keys' inline creation, which SQLAlchemy turns off on a constraint it adds with
    ALTER (a cycle's, on PostgreSQL), in CREATE TABLE statements compiled afterwards."""
    tables = list(metadata.tables.values())
    autoincrement = [table.dialect_kwargs.get("sqlite_autoincrement") for table in tables]
    rules = {
        constraint: constraint._create_rule
        for table in tables
        for constraint in table.foreign_key_constraints
    }
    if database == "sqlite":
        for table in tables:
            table.dialect_kwargs["sqlite_autoincrement"] = True
    try:
        yield
    finally:
        for constraint, rule in rules.items():
            constraint._create_rule = rule
        for table, value in zip(tables, autoincrement, strict=True):
            if value is None:
                table.dialect_kwargs.pop("sqlite_autoincrement", None)
            else:
                table.dialect_kwargs["sqlite_autoincrement"] = value


def _integer_keys(metadata: Iterable[MetaData]) -> bool:
    """Whether a BIGINT or SMALLINT key numbers its rows: the project then creates every
    such type as INTEGER on SQLite (see `_sqlite_integer_types` in plan.py)."""
    return any(
        _numbers_rows(table, column)
        for each in metadata
        for table in each.tables.values()
        for column in table.primary_key.columns
    )


def _numbers_rows(table: Table, column: Column[Any]) -> bool:
    return (
        len(table.primary_key.columns) == 1
        and isinstance(column.type, BigInteger | SmallInteger)
        and column.autoincrement in (True, "auto")
    )


class _TypeCompiler(SQLiteTypeCompiler):
    def visit_UUID(self, type_: Any, **kw: Any) -> str:
        """The SQL UUID type as the project creates it on SQLite (`sqlite_uuid` in plan.py):
        CHAR(32), not UUID, whose numeric affinity turns a hex of digits into a number."""
        return "CHAR(32)"


class _IntegerTypeCompiler(_TypeCompiler):
    def visit_BIGINT(self, type_: Any, **kw: Any) -> str:
        return "INTEGER"

    def visit_SMALLINT(self, type_: Any, **kw: Any) -> str:
        return "INTEGER"


class _SQLite(SQLiteDialect):
    type_compiler_cls = _TypeCompiler


class _SQLiteIntegerKeys(SQLiteDialect):
    type_compiler_cls = _IntegerTypeCompiler
