"""An app on a fresh database for every test, and an HTTP client that calls it in-process.

Tests run on SQLite in a temporary file unless DATABASE_URL names another database, e.g.
`DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test pytest`. Its tables are dropped
and created again for every test.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.core.db import create_tables, drop_tables, empty_tables
from app.main import METADATA, create_app


@asynccontextmanager
async def serve(
    database_url: str, made: set[str] | None = None, **settings: Any
) -> AsyncIterator[AsyncClient]:
    """A client for an app on `database_url`, whose tables start empty.

    The tables are dropped and created the first time; databases in `made` (the session's)
    only have their rows deleted, which is much faster for many tables.
    """
    app = create_app(
        Settings(environment="test", database_url=database_url, create_tables=False, **settings)
    )
    engine = app.state.engine
    async with engine.begin() as connection:
        if made is not None and database_url in made:
            await empty_tables(connection, METADATA)
        else:
            await drop_tables(connection, METADATA)
            await create_tables(connection, METADATA)
    if made is not None:
        made.add(database_url)
    try:
        async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
            yield client
    finally:
        await engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="session")
def made() -> set[str]:
    """The databases whose tables this test session has created."""
    return set()


@pytest.fixture
async def client(database_url: str, made: set[str]) -> AsyncIterator[AsyncClient]:
    async with serve(database_url, made) as client:
        yield client
