"""Concurrent writes: each is answered, none is half-done, none is a 500."""

import asyncio

from httpx import AsyncClient

from tests import factories

WRITERS = 50


async def test_concurrent_updates_of_one_row_leave_one_of_the_writes(client: AsyncClient) -> None:
    row = await factories.create_author(client)
    url = f"/authors/{row['id']}"
    values = [factories.author_sample(next(factories.numbers))["name"] for _ in range(WRITERS)]
    responses = await asyncio.gather(*(client.patch(url, json={"name": value}) for value in values))
    assert [response.status_code for response in responses] == [200] * WRITERS
    assert (await client.get(url)).json()["name"] in values


async def test_concurrent_creates_of_one_unique_value_let_exactly_one_win(
    client: AsyncClient,
) -> None:
    payload = await factories.author_payload(client)
    responses = await asyncio.gather(
        *(client.post("/authors", json=payload) for _ in range(WRITERS))
    )
    assert sorted(response.status_code for response in responses) == [201] + [409] * (WRITERS - 1)
