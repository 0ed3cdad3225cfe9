"""The models' DDL, per database, that the initial migration runs (generator/ddl.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import UUID, Column, Integer, MetaData, Table

from fe_gen.generator.ddl import ddl
from fe_gen.generator.ir import Ddl
from fe_gen.generator.migration import statements_literal
from tests.generator.model_fixtures import schema_of


def ddl_of(fixture: str, database: str) -> Ddl | None:
    return next((each for each in schema_of(fixture).ddl if each.database == database), None)


def test_a_cycle_of_foreign_keys_is_closed_after_the_tables_on_postgresql() -> None:
    ddl = ddl_of("ring_schema", "postgresql")
    assert ddl is not None
    assert [statement.split("(")[0].strip() for statement in ddl.create] == [
        "CREATE TABLE clubs",
        "CREATE TABLE members",
        "CREATE TABLE badges",
        "ALTER TABLE clubs ADD FOREIGN KEY",
        "ALTER TABLE members ADD FOREIGN KEY",
    ]
    assert ddl.drop == ("DROP TABLE IF EXISTS clubs, members, badges CASCADE",)


def test_sqlite_keys_are_never_reused_as_the_projects_create_tables_makes_them() -> None:
    ddl = ddl_of("ring_schema", "sqlite")
    assert ddl is not None
    assert "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT" in ddl.create[0]
    assert ddl.drop == (
        "DROP TABLE IF EXISTS badges",
        "DROP TABLE IF EXISTS members",
        "DROP TABLE IF EXISTS clubs",
    )


def test_types_only_postgresql_has_leave_sqlite_out() -> None:
    assert [each.database for each in schema_of("columns").ddl] == ["postgresql"]
    ddl = ddl_of("columns", "postgresql")
    assert ddl is not None
    assert ddl.create[:2] == (
        "CREATE TYPE status AS ENUM ('draft', 'published')",
        "CREATE TYPE color_enum AS ENUM ('red', 'dark-blue')",
    )
    assert ddl.drop == (
        "DROP TABLE IF EXISTS documents, pg_things, counters CASCADE",
        "DROP SEQUENCE IF EXISTS pg_things_serial_seq",
        "DROP TYPE color_enum",
        "DROP TYPE status",
    )


def test_the_models_ddl_hooks_are_part_of_it() -> None:
    ddl = ddl_of("recipes", "postgresql")
    assert ddl is not None
    assert "COMMENT ON TABLE recipes IS 'recipes of the cooks'" in "\n".join(ddl.create)


@pytest.mark.parametrize(
    ("statement", "literal"),
    [
        pytest.param("DROP TABLE a", '"DROP TABLE a"', id="one-line"),
        pytest.param(
            "\nCREATE TABLE a (\n\tid INTEGER, \n\tPRIMARY KEY (id)\n)\n\n",
            '"""CREATE TABLE a (\n    id INTEGER,\n    PRIMARY KEY (id)\n)"""',
            id="lines-laid-out",
        ),
        pytest.param(
            'CREATE TABLE "from" (x INT)', '"CREATE TABLE \\"from\\" (x INT)"', id="quotes"
        ),
        pytest.param(
            "CREATE TABLE a (\n\tx TEXT DEFAULT '\\'\n)",
            "\"CREATE TABLE a (\\n    x TEXT DEFAULT '\\\\'\\n)\"",
            id="backslash-several-lines",
        ),
    ],
)
def test_statements_are_python_strings(statement: str, literal: str) -> None:
    ddl = (Ddl(database="sqlite", create=(statement,), drop=()),)
    rendered = statements_literal(ddl, extensions=(), schemas=(), drop=False)
    assert rendered == f'{{\n"sqlite": (\n{literal},\n),\n}}'
    assert eval(rendered) == {"sqlite": (eval(literal),)}


def test_postgresql_first_gets_the_extensions_and_schemas() -> None:
    ddl = (Ddl(database="postgresql", create=("CREATE TABLE s.a (x CITEXT)",), drop=()),)
    rendered = statements_literal(ddl, extensions=("citext",), schemas=("s",), drop=False)
    assert eval(rendered) == {
        "postgresql": (
            'CREATE EXTENSION IF NOT EXISTS "citext"',
            'CREATE SCHEMA IF NOT EXISTS "s"',
            "CREATE TABLE s.a (x CITEXT)",
        )
    }


def test_the_statements_come_in_the_same_order_whatever_the_hash_seed(tmp_path: Path) -> None:
    """SQLAlchemy keeps a table's indexes in a set: the frozen migration must not vary."""
    script = (
        "from tests.generator.model_fixtures import schema_of; print(schema_of('ring_columns').ddl)"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_the_sql_uuid_type_is_created_on_sqlite_as_the_project_creates_it() -> None:
    """CHAR(32), as core/db.py's hook makes it: a column declared UUID would have numeric
    affinity there, and the migrated table would differ from the created one."""
    metadata = MetaData()
    Table("things", metadata, Column("id", Integer, primary_key=True), Column("ref", UUID()))
    sqlite = next(each for each in ddl([metadata]) if each.database == "sqlite")
    postgresql = next(each for each in ddl([metadata]) if each.database == "postgresql")
    assert "ref CHAR(32)" in sqlite.create[0]
    assert "ref UUID" in postgresql.create[0]


@pytest.mark.parametrize(
    ("fixture", "database", "reason"),
    [
        pytest.param(
            "postgresql_ddl",
            "sqlite",
            "(in table 'places', column 'where'): the type Point has no SQL for sqlite",
            id="a-type-of-postgresql-alone",
        ),
        pytest.param(
            "sqlite_ddl",
            "postgresql",
            "(in table 'places', column 'where'): the type Coordinates has no SQL for postgresql",
            id="a-type-of-sqlite-alone",
        ),
        pytest.param(
            "columns",
            "sqlite",
            "(in table 'pg_things', column 'labels'): the type ARRAY has no SQL for sqlite",
            id="a-type-of-postgresqls",
        ),
    ],
)
def test_a_database_that_cant_create_the_tables_is_named_with_why(
    fixture: str, database: str, reason: str
) -> None:
    schema = schema_of(fixture)
    assert [each.database for each in schema.ddl] != [database]
    (failure,) = schema.ddl_failures
    assert failure.database == database
    assert failure.reason.startswith(reason)
