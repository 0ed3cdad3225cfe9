"""Fixtures shared by fe-gen's tests: PostgreSQL databases and the golden-file switch.

Tests that need PostgreSQL read DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test),
create a database of their own through it, and skip when the server is unreachable, or
fail instead when FE_GEN_REQUIRE_SERVICES=1 (as CI sets it); the same for Redis and
REDIS_URL (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import asyncpg
import pytest
import redis

from tests.databases import DATABASE_URL, create_database, drop_database, execute


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/golden from the current templates instead of comparing",
    )


def unavailable(reason: str) -> None:
    """Skip a test for want of a service, or fail it when services are required."""
    if os.environ.get("FE_GEN_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (FE_GEN_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_reachable() -> None:
    try:
        execute("SELECT 1")
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        unavailable(f"PostgreSQL at {DATABASE_URL} is unreachable: {error}")


REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis REDIS_URL names (default 127.0.0.1:6379), once it answers. Generated suites
    keep their keys under prefixes of their own and delete them."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError) as error:
        unavailable(f"Redis at {REDIS_URL} is unreachable: {error}")
    return REDIS_URL


@pytest.fixture
def postgres_database(postgres_reachable: None) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)
