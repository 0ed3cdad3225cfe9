"""The migrations make the tables the models declare, and `migrate` runs them once."""

import logging
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from app.core.config import Settings
from app.core.db import create_engine, create_tables
from app.core.migrate import alembic_config, migrate
from app.main import METADATA


async def test_the_migrations_make_the_tables_create_tables_makes(
    empty_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(environment="test", database_url=empty_database_url)
    caplog.set_level(logging.INFO, logger="app.core.migrate")
    await migrate(settings)
    await migrate(settings)
    head = _head()
    assert [
        record.getMessage() for record in caplog.records if "revision" in record.getMessage()
    ] == [
        f"migrating the database from revision (none) to {head}",
        f"migrated the database to revision {head}",
        f"the database is at revision {head}, the newest: nothing to do",
    ]
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            migrated = await connection.run_sync(_schema)
            await connection.run_sync(_downgrade)
            assert await connection.run_sync(_schema) == {}
            await create_tables(connection, METADATA)
            await connection.commit()
            assert await connection.run_sync(_schema) == migrated
    finally:
        await engine.dispose()


def _head() -> str | None:
    """The newest revision: 0001 until the models change (`fe-gen update` adds revisions)."""
    config = Config()
    config.set_main_option("script_location", "app:migrations")
    return ScriptDirectory.from_config(config).get_current_head()


def _downgrade(connection: Connection) -> None:
    command.downgrade(alembic_config(connection), "base")
    connection.commit()


def _schema(connection: Connection) -> dict[str, Any]:
    """The models' tables as the database describes them."""
    inspector = inspect(connection)
    schemas = {table.schema for each in METADATA for table in each.tables.values()}
    found: dict[str, Any] = {}
    for schema in schemas:
        for name in inspector.get_table_names(schema=schema):
            if name == "alembic_version":
                continue
            found[f"{schema}.{name}"] = {
                # In any order: a revision that adds a column adds it last.
                "columns": sorted(
                    (column["name"], str(column["type"]), column["nullable"], column["default"])
                    for column in inspector.get_columns(name, schema=schema)
                ),
                "primary key": inspector.get_pk_constraint(name, schema=schema),
                "foreign keys": _sorted(inspector.get_foreign_keys(name, schema=schema)),
                "indexes": _sorted(inspector.get_indexes(name, schema=schema)),
                "unique": _sorted(inspector.get_unique_constraints(name, schema=schema)),
                "checks": _sorted(inspector.get_check_constraints(name, schema=schema)),
            }
    return found


def _sorted(items: list[Any]) -> list[Any]:
    return sorted(items, key=repr)
