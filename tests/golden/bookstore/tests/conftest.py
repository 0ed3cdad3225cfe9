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
from app.core.db import create_tables, drop_tables
from app.main import METADATA, create_app


@asynccontextmanager
async def serve(database_url: str, **settings: Any) -> AsyncIterator[AsyncClient]:
    """A client for an app on `database_url`, whose tables start empty."""
    app = create_app(
        Settings(environment="test", database_url=database_url, create_tables=False, **settings)
    )
    engine = app.state.engine
    async with engine.begin() as connection:
        await drop_tables(connection, METADATA)
        await create_tables(connection, METADATA)
    try:
        async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
            yield client
    finally:
        await engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncClient]:
    async with serve(database_url) as client:
        yield client
