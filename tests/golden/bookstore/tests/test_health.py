"""Liveness never touches the database; readiness says what isn't ready, in time."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.core.health import Readiness
from app.main import create_app
from tests.conftest import serve

HEALTH = "/health"


async def test_liveness_and_readiness_of_an_app_that_serves(client: AsyncClient) -> None:
    live = await client.get(HEALTH)
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = await client.get(f"{HEALTH}/ready")
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")
    checks = ready.json()["checks"]
    assert checks == {"database": "ok"} or checks == {"database": "ok", "redis": "ok"}


async def test_without_redis_the_app_is_ready_but_degraded(database_url: str) -> None:
    async with serve(database_url, redis_url="redis://127.0.0.1:1/0") as client:
        ready = await client.get(f"{HEALTH}/ready")
        assert (ready.status_code, ready.json()["status"]) == (200, "degraded")
        assert ready.json()["checks"]["database"] == "ok"
        assert "127.0.0.1:1" in ready.json()["checks"]["redis"]


@asynccontextmanager
async def _client(database_url: str) -> AsyncIterator[AsyncClient]:
    """A client of an app on `database_url` as it is (the tables not made), checks timed out
    after 0.5 s."""
    app = create_app(Settings(environment="test", database_url=database_url, health_timeout=0.5))
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
        yield client
    await app.state.engine.dispose()


async def test_readiness_names_the_tables_missing(empty_database_url: str) -> None:
    async with _client(empty_database_url) as client:
        response = await client.get(f"{HEALTH}/ready")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        assert response.json()["checks"]["database"].startswith("no table ")
        assert (await client.get(HEALTH)).status_code == 200


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A port whose server accepts connections and never answers."""
    accepted: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in accepted:
        writer.close()
    server.close()


async def test_readiness_answers_503_in_time_when_the_database_does_not(
    silent_server: int,
) -> None:
    async with _client(f"postgresql://postgres@127.0.0.1:{silent_server}/silent") as client:
        started = time.monotonic()
        response = await client.get(f"{HEALTH}/ready")
        assert time.monotonic() - started < 2
        assert (response.status_code, response.json()) == (
            503,
            {"status": "unavailable", "checks": {"database": "no answer within 0.5 s"}},
        )
        assert (await client.get(HEALTH)).status_code == 200


async def test_readiness_runs_its_checks_at_once() -> None:
    async def slow() -> None:
        await asyncio.sleep(0.3)

    async def broken() -> None:
        raise ConnectionError("refused")

    readiness = Readiness({"a": slow, "b": slow, "c": broken}, timeout=1)
    started = time.monotonic()
    assert await readiness.failures() == {"c": "refused"}
    assert time.monotonic() - started < 0.6
