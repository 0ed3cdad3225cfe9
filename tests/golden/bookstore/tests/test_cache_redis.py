"""The cache's Redis layer (core/cache_redis.py) against the Redis TEST_REDIS_URL names:
replicas share reads, a write is never served stale from Redis once it has returned, and
Redis failing, slow or back again never fails a request nor leaves a stale read behind.

Replicas are apps on one database and one Redis prefix; the network between an app and Redis
is a proxy the test cuts.
"""

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests import factories
from tests.conftest import serve_app
from tests.utils import listed, statements

PATH = "/authors"
LONG = 60.0
"""A TTL no test outlives, for those that count hits."""

Replica = tuple[FastAPI, AsyncClient]


@asynccontextmanager
async def replicas(
    database_url: str, *redis_urls: str, **settings: Any
) -> AsyncIterator[list[Replica]]:
    """An app for each of `redis_urls`, on `database_url` (its tables emptied once) and on
    one Redis prefix."""
    settings.setdefault("cache_redis_prefix", f"shop_test_{secrets.token_hex(4)}")
    made: set[str] = set()
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                serve_app(database_url, made, redis_url=url, **settings)
            )
            for url in redis_urls
        ]


class Proxy:
    """A TCP proxy to Redis: `stop()` cuts every connection and refuses new ones, as a
    stopped Redis or a broken network would; `silent` ones are accepted and never answered."""

    def __init__(self, redis_url: str) -> None:
        self.target = urlsplit(redis_url)
        self.port = 0
        self.silent = False
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        return self.target._replace(netloc=f"127.0.0.1:{self.port}").geturl()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        self._writers.clear()
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        if self.silent:
            return
        upstream_reader, upstream = await asyncio.open_connection(
            self.target.hostname, self.target.port or 6379
        )
        self._writers.append(upstream)
        await asyncio.gather(_copy(reader, upstream), _copy(upstream_reader, writer))


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass  # the proxy stopped, or the loop is ending
    finally:
        writer.close()


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    proxy = Proxy(redis_url)
    await proxy.start()
    yield proxy
    await proxy.stop()


def outcome(response: Response) -> str:
    """Where the cache served a response from: hit-l1, hit-l2, coalesced or miss."""
    assert response.status_code == 200, response.text
    return response.headers["server-timing"].split('cache;desc="')[1].split('"')[0]


async def test_a_read_one_replica_made_is_served_from_redis_by_another(
    database_url: str, redis_url: str
) -> None:
    async with replicas(database_url, redis_url, redis_url, cache_ttl=LONG) as [(_, a), (_, b)]:
        row = await factories.create_author(a)
        url = f"/authors/{row['id']}"
        first, second, third = await a.get(url), await b.get(url), await b.get(url)
        assert [outcome(first), outcome(second), outcome(third)] == ["miss", "hit-l2", "hit-l1"]
        assert first.content == second.content == third.content
        assert statements(second) == 0


async def test_1000_gets_of_100_rows_hit_90_percent_with_one_statement_per_miss(
    database_url: str, redis_url: str
) -> None:
    async with replicas(database_url, redis_url, redis_url, cache_ttl=LONG) as replicas_:
        [(a_app, a), (b_app, b)] = replicas_
        urls = []
        for _ in range(100):
            row = await factories.create_author(a)
            urls.append(f"/authors/{row['id']}")
        responses = [await a.get(url) for _ in range(10) for url in urls]
        misses = [response for response in responses if outcome(response) == "miss"]
        assert [statements(response) for response in misses] == [1] * 100
        assert (a_app.state.cache.stats.hits, a_app.state.cache.stats.misses) == (900, 100)
        # The other replica reads each row once from Redis, then from its own memory.
        for _ in range(10):
            for url in urls:
                await b.get(url)
        stats = b_app.state.cache.stats
        assert (stats.hits, stats.redis_hits, stats.misses) == (900, 100, 0)


async def test_100_concurrent_misses_run_one_statement_across_replicas(
    database_url: str, redis_url: str
) -> None:
    async with replicas(database_url, redis_url, redis_url, cache_ttl=LONG) as replicas_:
        [(a_app, a), (b_app, _)] = replicas_
        await factories.create_author(a)
        for _app, client in replicas_:
            responses = await asyncio.gather(*(client.get(PATH) for _ in range(100)))
            assert len({response.content for response in responses}) == 1
        assert (a_app.state.cache.stats.misses, a_app.state.cache.stats.coalesced) == (1, 99)
        assert (b_app.state.cache.stats.redis_hits, b_app.state.cache.stats.coalesced) == (1, 99)
        assert b_app.state.cache.stats.misses == 0


async def test_a_write_is_read_at_once_by_its_replica_from_redis_by_any_and_within_the_ttl_by_all(
    database_url: str, redis_url: str
) -> None:
    ttl = 0.5
    async with replicas(database_url, redis_url, redis_url, cache_ttl=ttl) as [(_, a), (_, b)]:
        assert await listed(b, PATH) == []
        assert outcome(await a.get(PATH, params={"limit": 5})) == "miss"
        await factories.create_author(a)
        written = time.monotonic()
        assert len(await listed(a, PATH)) == 1
        # Kept in Redis before the write, which the other replica never read: not served.
        fresh = await b.get(PATH, params={"limit": 5})
        assert (outcome(fresh), len(fresh.json()["items"])) == ("miss", 1)
        # Read before the write and kept in the other replica's memory: served for at most
        # its TTL.
        while len((stale := await b.get(PATH)).json()["items"]) == 0:
            assert outcome(stale) == "hit-l1"
            assert time.monotonic() - written < ttl
            await asyncio.sleep(0.05)


async def test_redis_stopped_and_back_costs_no_request_and_leaves_no_stale_read(
    database_url: str, redis_url: str, proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    urls = (proxy.url, redis_url, redis_url)
    async with replicas(database_url, *urls, cache_ttl=LONG, redis_timeout=0.2) as replicas_:
        [(a_app, a), (_, b), (_, c)] = replicas_
        row = await factories.create_author(a)
        assert len(await listed(a, PATH)) == 1
        assert outcome(await b.get(PATH)) == "hit-l2"
        await proxy.stop()
        # Written while Redis is away: its replica serves it at once, from the database.
        response = await a.delete(f"/authors/{row['id']}")
        assert response.status_code == 204, response.text
        for _ in range(3):
            assert await listed(a, PATH) == []
        warnings = [r.message for r in caplog.records if r.levelno == logging.WARNING]
        assert len([message for message in warnings if "Redis failed" in message]) == 1
        await proxy.start()
        redis = a_app.state.cache.redis
        deadline = time.monotonic() + 2 * redis.retry_after + 1
        while not redis.available and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert any("Redis answers again" in record.message for record in caplog.records)
        # The delete reached Redis when it came back: a replica reading the list for the
        # first time doesn't get it from there as it was.
        response = await c.get(PATH)
        assert (outcome(response), response.json()["items"]) == ("miss", [])
        assert await listed(a, PATH) == []


async def test_a_redis_that_does_not_answer_delays_a_request_by_its_timeout_at_most(
    database_url: str, proxy: Proxy
) -> None:
    async with replicas(database_url, proxy.url, cache_ttl=LONG, redis_timeout=0.2) as [(app, a)]:
        await proxy.stop()
        proxy.silent = True
        await proxy.start()
        started = time.monotonic()
        assert (await a.get(PATH)).status_code == 200
        await factories.create_author(a)
        assert len(await listed(a, PATH)) == 1
        assert time.monotonic() - started < 2
        assert app.state.cache.redis.errors == 1
