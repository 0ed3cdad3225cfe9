"""Tests of what every model's API shares: cursors, limits, Server-Timing, bulk size."""

import re

from httpx import AsyncClient

from tests import factories
from tests.conftest import serve
from tests.utils import error_location

PATH = "/authors"


async def test_cursors_are_tamper_evident(client: AsyncClient) -> None:
    for _ in range(3):
        await factories.create_author(client)
    page = (await client.get(PATH, params={"limit": 1})).json()
    cursor = page["next_cursor"]
    assert cursor is not None
    body, signature = cursor.split(".")
    forged = ("A" if body[0] != "A" else "B") + body[1:] + "." + signature
    assert error_location(await client.get(PATH, params={"cursor": forged})) == ["query", "cursor"]
    other_sort = {"cursor": cursor, "sort": "-id"}
    assert error_location(await client.get(PATH, params=other_sort)) == ["query", "cursor"]
    both = {"cursor": cursor, "offset": 1}
    assert error_location(await client.get(PATH, params=both)) == ["query", "offset"]


async def test_a_deleted_row_stays_deleted(client: AsyncClient) -> None:
    """Its key is not given to the next row (as SQLite does without AUTOINCREMENT)."""
    row = await factories.create_author(client)
    url = f"/authors/{row['id']}"
    assert (await client.delete(url)).status_code == 204
    await factories.create_author(client)
    assert (await client.get(url)).status_code == 404


async def test_limits_are_enforced(database_url: str) -> None:
    async with serve(database_url, max_page_size=3, max_bulk_rows=2) as client:
        assert error_location(await client.get(PATH, params={"limit": 4})) == ["query", "limit"]
        # Past what OFFSET takes (a 64-bit integer): a 422, not a database error.
        offset = {"offset": str(2**63)}
        assert error_location(await client.get(PATH, params=offset)) == ["query", "offset"]
        assert (await client.get(PATH, params={"limit": 3})).status_code == 200
        # A parameter given twice would leave the server to pick one of its values.
        twice = "limit=1&limit=2"
        assert error_location(await client.get(PATH, params=twice)) == ["query", "limit"]
        payloads = [await factories.author_payload(client) for _ in range(3)]
        assert error_location(await client.post(f"{PATH}/bulk", json=payloads)) == ["body"]


async def test_server_timing_reports_statements_and_the_cache(database_url: str) -> None:
    async with serve(database_url) as client:
        cache, database = (await client.get(PATH)).headers.get_list("server-timing")
        assert cache == 'cache;desc="miss"'
        assert re.fullmatch(r'db;dur=\d+\.\d\d;desc="1 query"', database), database
        cache, database = (await client.get(PATH)).headers.get_list("server-timing")
        assert cache == 'cache;desc="hit-l1"'
        assert database == 'db;dur=0.00;desc="0 queries"'
    async with serve(database_url, server_timing=False) as client:
        assert "server-timing" not in (await client.get(PATH)).headers
