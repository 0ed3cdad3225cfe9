"""Scratch PostgreSQL databases next to DATABASE_URL, for the tests and the fuzzing harness.

DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) names the server and the
database to connect through; each user creates a database of its own and drops it after.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
from sqlalchemy.engine import make_url

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def dsn(url: str, database: str | None = None) -> str:
    """A plain `postgresql://` DSN for asyncpg, optionally naming another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _execute(statement: str) -> None:
    connection = await asyncpg.connect(dsn(DATABASE_URL), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def execute(statement: str) -> None:
    """Run one statement through DATABASE_URL (raises OSError, PostgresError, TimeoutError)."""
    asyncio.run(_execute(statement))


def create_database() -> str:
    """Create a new, empty database and return its URL."""
    name = f"fe_gen_{uuid.uuid4().hex[:12]}"
    execute(f'CREATE DATABASE "{name}"')
    return dsn(DATABASE_URL, name)


def drop_database(url: str) -> None:
    """Drop a database made by `create_database`, whoever is still connected to it."""
    name = make_url(url).database
    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
