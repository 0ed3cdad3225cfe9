"""The response cache (core/cache.py): hits, one read for concurrent misses, bounds, and
no read served after a write that changes it, whoever makes the write.

The other tests run with the cache on too (and with Redis, given TEST_REDIS_URL): each of
their writes is followed by reads. test_cache_redis.py tests the Redis layer.
"""

import asyncio
import logging

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cache import cached_query
from app.queries import author as queries
from tests import factories
from tests.conftest import serve, serve_app
from tests.utils import listed, statements

PATH = "/authors"
LONG = 60.0
"""A TTL no test outlives, for those that count hits."""


async def test_a_read_asked_again_is_a_hit_whatever_the_order_of_its_parameters(
    database_url: str,
) -> None:
    async with serve_app(database_url, cache_ttl=LONG) as (app, client):
        row = await factories.create_author(client)
        stats = app.state.cache.stats
        first = await client.get(PATH, params=[("limit", "5"), ("offset", "0")])
        again = await client.get(PATH, params=[("offset", "0"), ("limit", "5")])
        assert again.content == first.content
        assert (stats.misses, stats.hits) == (1, 1)
        url = f"/authors/{row['id']}"
        assert (await client.get(url)).content == (await client.get(url)).content
        assert (stats.misses, stats.hits) == (2, 2)


async def test_gets_of_a_few_rows_miss_once_each_with_one_statement(database_url: str) -> None:
    async with serve_app(database_url, cache_ttl=LONG) as (app, client):
        urls = []
        for _ in range(10):
            row = await factories.create_author(client)
            urls.append(f"/authors/{row['id']}")
        responses = [await client.get(url) for _ in range(10) for url in urls]
        misses = [r for r in responses if 'cache;desc="miss"' in r.headers["server-timing"]]
        assert [statements(response) for response in misses] == [1] * 10
        assert (app.state.cache.stats.misses, app.state.cache.stats.hits) == (10, 90)


async def test_concurrent_misses_of_one_read_run_it_once(database_url: str) -> None:
    async with serve_app(database_url, cache_ttl=LONG) as (app, client):
        await factories.create_author(client)
        responses = await asyncio.gather(*(client.get(PATH) for _ in range(20)))
        assert {response.status_code for response in responses} == {200}
        assert len({response.content for response in responses}) == 1
        stats = app.state.cache.stats
        assert stats.misses == 1
        assert stats.coalesced + stats.hits == 19


async def test_a_write_by_code_of_your_own_is_seen_by_the_next_read(database_url: str) -> None:
    async with serve_app(database_url, cache_ttl=LONG) as (app, client):
        await factories.create_author(client)
        assert len(await listed(client, PATH)) == 1
        async with app.state.engine.begin() as connection:
            await connection.execute(delete(queries.authors))
        assert await listed(client, PATH) == []
        await factories.create_author(client)
        assert len(await listed(client, PATH)) == 1
        async with app.state.sessionmaker() as session:
            await session.execute(delete(queries.authors))
            await session.commit()
        assert await listed(client, PATH) == []


@cached_query(queries.authors)
async def count_rows(session: AsyncSession, at_least: int = 0) -> int:
    """A read function of your own, cached until a write to its table."""
    statement = select(func.count()).select_from(queries.authors)
    return max((await session.execute(statement)).scalar_one(), at_least)


async def test_a_cached_query_of_your_own_is_invalidated_by_writes_to_what_it_reads(
    database_url: str,
) -> None:
    async with serve_app(database_url, cache_ttl=LONG) as (app, client):
        stats = app.state.cache.stats
        async with app.state.sessionmaker() as session:
            assert [await count_rows(session) for _ in range(3)] == [0, 0, 0]
            assert await count_rows(session, at_least=5) == 5
            assert (stats.misses, stats.hits) == (2, 2)
            await factories.create_author(client)
            assert await count_rows(session) == 1
            assert (stats.misses, stats.hits) == (3, 2)


async def test_entries_expire_after_their_ttl(database_url: str) -> None:
    async with serve_app(database_url, cache_ttl=0.05, redis_url=None) as (app, client):
        await client.get(PATH)
        await asyncio.sleep(0.1)
        await client.get(PATH)
        assert (app.state.cache.stats.misses, app.state.cache.stats.hits) == (2, 0)


async def test_the_cache_holds_at_most_its_entries(database_url: str) -> None:
    async with serve_app(database_url, cache_max_entries=2, redis_url=None) as (app, client):
        for limit in (1, 2, 3, 1):
            await client.get(PATH, params={"limit": limit})
        assert (app.state.cache.stats.misses, app.state.cache.stats.evictions) == (4, 2)


async def test_a_model_or_the_whole_cache_can_be_turned_off(database_url: str) -> None:
    for settings in ({"cache": False}, {"cache_ttls": {PATH: 0}}):
        async with serve_app(database_url, **settings) as (app, client):
            for _ in range(2):
                response = await client.get(PATH)
                assert response.status_code == 200
                assert "cache;" not in response.headers["server-timing"]
            assert (app.state.cache.stats.misses, app.state.cache.stats.hits) == (0, 0)
    async with serve(database_url) as client:
        assert 'cache;desc="miss"' in (await client.get(PATH)).headers["server-timing"]


async def test_without_redis_reads_and_writes_go_on_and_one_warning_says_so(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    closed = "redis://127.0.0.1:1/0"
    async with serve_app(database_url, redis_url=closed, cache_ttl=LONG) as (app, client):
        for _ in range(3):
            await factories.create_author(client)
            assert (await client.get(PATH)).status_code == 200
        assert len(await listed(client, PATH)) == 3
        warnings = [
            r for r in caplog.records if r.levelno == logging.WARNING and "Redis" in r.message
        ]
        assert len(warnings) == 1, warnings
        assert app.state.cache.redis.errors == 1
