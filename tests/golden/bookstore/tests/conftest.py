"""An app on a database of the tests' own, and an HTTP client that calls it in-process.

Tests never touch a database they did not create: the one the app serves is safe.
By default they run on SQLite in a temporary folder. When TEST_DATABASE_URL (or else
DATABASE_URL) names a PostgreSQL database, e.g.
`TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/shop pytest`, they create
a database of their own next to it (`shop_test_<random>`) and drop it when they
finish.
The database named is only connected to, to create and drop that one; without the right to
create databases the tests stop and say so.

With TEST_REDIS_URL set (`redis://127.0.0.1:6379/0`), the apps share their cached reads
through that Redis, each under a key prefix of its own whose keys are deleted when it stops;
without it they cache in process alone, and the tests of the Redis layer skip.
"""

import asyncio
import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from redis.asyncio import Redis
from sqlalchemy import URL, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config import Settings
from app.core.db import create_tables, drop_tables, empty_tables
from app.main import METADATA, create_app


@asynccontextmanager
async def serve(
    database_url: str, made: set[str] | None = None, **settings: Any
) -> AsyncIterator[AsyncClient]:
    """A client for an app on `database_url`, whose tables start empty (see serve_app)."""
    async with serve_app(database_url, made, **settings) as (_app, client):
        yield client


@asynccontextmanager
async def serve_app(
    database_url: str, made: set[str] | None = None, **settings: Any
) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    """An app on `database_url`, whose tables start empty, and a client that calls it.

    The tables are dropped and created the first time; databases in `made` (the session's)
    only have their rows deleted, which is much faster for many tables. The app uses
    TEST_REDIS_URL unless `redis_url` says otherwise.
    """
    settings.setdefault("redis_url", os.environ.get("TEST_REDIS_URL"))
    settings.setdefault("cache_redis_prefix", f"shop_test_{secrets.token_hex(4)}")
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
    await app.state.cache.published()
    if made is not None:
        made.add(database_url)
    try:
        async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
            yield app, client
    finally:
        await engine.dispose()
        if app.state.cache.redis is not None:
            await app.state.cache.redis.close()
        if test_redis := os.environ.get("TEST_REDIS_URL"):
            # Where the keys are, whether the app reached it directly or through a proxy.
            await _delete_keys(test_redis, settings["cache_redis_prefix"])


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis TEST_REDIS_URL names, or the test is skipped."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("set TEST_REDIS_URL=redis://127.0.0.1:6379/0 to test the cache's Redis layer")
    return url


async def _delete_keys(url: str, prefix: str) -> None:
    """Delete the keys an app of the tests made under its `prefix`."""
    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a database this test session made, dropped when the session ends."""
    with _scratch_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """The URL of a database of this test's own, without tables."""
    with _scratch_database(tmp_path) as url:
        yield url


@contextmanager
def _scratch_database(folder: Path) -> Iterator[str]:
    """A new database: next to the one TEST_DATABASE_URL (or else DATABASE_URL) names on
    PostgreSQL, dropped at the end; else on SQLite in `folder`."""
    named = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    server = (
        make_url(Settings(environment="test", database_url=named).database_url) if named else None
    )
    if server is None or server.get_backend_name() != "postgresql":
        yield f"sqlite+aiosqlite:///{folder / 'test.db'}"
        return
    scratch = re.sub(r"\W", "_", f"{server.database or 'postgres'}_test_{secrets.token_hex(4)}")
    asyncio.run(_administer(server, f'CREATE DATABASE "{scratch}"'))
    try:
        yield server.set(database=scratch).render_as_string(hide_password=False)
    finally:
        asyncio.run(_administer(server, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))


async def _administer(server: URL, statement: str) -> None:
    """Run CREATE or DROP DATABASE through a connection to the database named."""
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    except (OSError, DBAPIError) as error:
        where = server.render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        pytest.exit(f"the tests can't make a database of their own at {where}: {reason}", 2)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def made() -> set[str]:
    """The databases whose tables this test session has created."""
    return set()


@pytest.fixture
async def client(database_url: str, made: set[str]) -> AsyncIterator[AsyncClient]:
    async with serve(database_url, made) as client:
        yield client
