"""Helpers for the API tests."""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from httpx import AsyncClient, Response

Row = dict[str, Any]


def statements(response: Response) -> int:
    """How many SQL statements the request ran, from its Server-Timing header."""
    match = re.search(r'desc="(\d+) quer(?:y|ies)"', response.headers["server-timing"])
    assert match, response.headers["server-timing"]
    return int(match.group(1))


def keys(rows: Iterable[Row], key: Sequence[str]) -> list[tuple[Any, ...]]:
    """The primary keys of `rows`, in order."""
    return [tuple(row[name] for name in key) for row in rows]


async def listed(client: AsyncClient, path: str, /, **params: Any) -> list[Row]:
    """The items of one page of `path`."""
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    items: list[Row] = response.json()["items"]
    return items


async def all_pages(client: AsyncClient, path: str, /, **params: Any) -> list[Row]:
    """Every item of `path`, following `next_cursor` from page to page."""
    items: list[Row] = []
    cursor = None
    while True:
        response = await client.get(
            path, params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def error_location(response: Response) -> list[Any]:
    """Where a 422 says the problem is: `["query", "price__gte"]`."""
    assert response.status_code == 422, response.text
    location: list[Any] = response.json()["detail"][0]["loc"]
    return location


async def assert_stored(client: AsyncClient, url: str, values: Row) -> None:
    """Reading `url` back gives `values`, field by field (deferred fields too)."""
    response = await client.get(url, params={"fields": ",".join(values)} if values else {})
    assert response.status_code == 200, response.text
    stored = response.json()
    assert {name: stored[name] for name in values} == values
