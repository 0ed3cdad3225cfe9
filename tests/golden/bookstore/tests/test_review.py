"""Tests of the reviews API."""

import json
from typing import Any

from httpx import AsyncClient

from tests import factories
from tests.utils import all_pages, assert_stored, error_location, keys, listed, statements

PATH = "/reviews"
KEY = ("id",)


async def test_create_get_update_delete(client: AsyncClient) -> None:
    row = await factories.create_review(client)
    url = f"/reviews/{row['id']}"

    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.json().items() >= row.items()

    changes = {"reviewer": factories.review_sample(next(factories.numbers))["reviewer"]}
    response = await client.patch(url, json=changes)
    assert response.status_code == 200, response.text
    assert response.json()["reviewer"] != row["reviewer"]
    assert (await client.get(url)).json().items() >= response.json().items()

    response = await client.delete(url)
    assert response.status_code == 204, response.text
    assert (await client.get(url)).status_code == 404


async def test_bulk_create_keeps_the_order_of_the_items(client: AsyncClient) -> None:
    payloads = [await factories.review_payload(client) for _ in range(3)]
    response = await client.post(f"{PATH}/bulk", json=payloads)
    assert response.status_code == 201, response.text
    created = response.json()
    for row, payload in zip(created, payloads, strict=True):
        assert row == row | {name: value for name, value in payload.items() if name in row}
    assert sorted(keys(await listed(client, PATH), KEY)) == sorted(keys(created, KEY))


async def test_every_acknowledged_write_reads_back_as_written(client: AsyncClient) -> None:
    payloads = [await factories.review_payload(client) for _ in range(3)]
    response = await client.post(PATH, json=payloads[0])
    assert response.status_code == 201, response.text
    bulk = await client.post(f"{PATH}/bulk", json=payloads[1:])
    assert bulk.status_code == 201, bulk.text
    for row, payload in zip([response.json(), *bulk.json()], payloads, strict=True):
        await assert_stored(client, f"/reviews/{row['id']}", payload)
    row = response.json()
    url = f"/reviews/{row['id']}"

    # Each field alone, to another row's value and to null where it may be.
    changes = await factories.review_payload(client)
    nullable = ["body"]
    for name in ["reviewer", "rating", "body", "book_id"]:
        for value in [changes[name], None] if name in nullable else [changes[name]]:
            response = await client.patch(url, json={name: value})
            assert response.status_code == 200, response.text
            await assert_stored(client, url, {name: value})

    response = await client.delete(url)
    assert response.status_code == 204, response.text
    assert (await client.get(url)).status_code == 404
    assert keys([row], KEY)[0] not in keys(await listed(client, PATH), KEY)


async def test_bodies_hold_only_what_the_columns_store(client: AsyncClient) -> None:
    payload = await factories.review_payload(client)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"no_such_field": 1}, ["body", "no_such_field"]),
        ({"reviewer": "a\x00b"}, ["body", "reviewer"]),
        ({"rating": 2147483648}, ["body", "rating"]),
    ]
    for change, location in cases:
        assert error_location(await client.post(PATH, json=payload | change)) == location
    # An unpaired surrogate: JSON can carry it, UTF-8 (and so no database) can't.
    body = json.dumps(payload | {"reviewer": "\ud800"})
    response = await client.post(PATH, content=body, headers={"content-type": "application/json"})
    assert error_location(response) == ["body", "reviewer"]


async def test_comparison_filters(client: AsyncClient) -> None:
    # Samples grow with every row, so rows are created in the order of the field.
    low, middle, high = [await factories.create_review(client) for _ in range(3)]
    value = middle["rating"]

    async def found(**params: Any) -> set[tuple[Any, ...]]:
        return set(keys(await listed(client, PATH, **params), KEY))

    assert await found(rating=value) == set(keys([middle], KEY))
    assert await found(rating__eq=value) == set(keys([middle], KEY))
    assert await found(rating__ne=value) == set(keys([low, high], KEY))
    assert await found(rating__gt=value) == set(keys([high], KEY))
    assert await found(rating__gte=value) == set(keys([middle, high], KEY))
    assert await found(rating__lt=value) == set(keys([low], KEY))
    assert await found(rating__lte=value) == set(keys([low, middle], KEY))
    both = ",".join(str(row["rating"]) for row in (low, high))
    assert await found(rating__in=both) == set(keys([low, high], KEY))


async def test_sort_and_offset_pages(client: AsyncClient) -> None:
    rows = [await factories.create_review(client) for _ in range(5)]
    pages = [
        await listed(client, PATH, sort="-rating", limit=2, offset=offset) for offset in (0, 2, 4)
    ]
    assert keys(pages[0] + pages[1] + pages[2], KEY) == keys(reversed(rows), KEY)


async def test_text_filters(client: AsyncClient) -> None:
    rows = [await factories.create_review(client) for _ in range(3)]
    value = rows[1]["reviewer"]

    async def found(**params: Any) -> set[tuple[Any, ...]]:
        return set(keys(await listed(client, PATH, **params), KEY))

    assert await found(reviewer__contains=value[1:]) == set(keys([rows[1]], KEY))
    assert await found(reviewer__icontains=value[1:].upper()) == set(keys([rows[1]], KEY))
    assert await found(reviewer__startswith=value) == set(keys([rows[1]], KEY))
    # LIKE wildcards in a value are matched literally.
    assert await found(reviewer__contains="%") == set()


async def test_null_filters_and_nulls_sort_last(client: AsyncClient) -> None:
    filled = [await factories.create_review(client) for _ in range(2)]
    empty = [await factories.create_review(client, body=None) for _ in range(2)]

    async def found(**params: Any) -> set[tuple[Any, ...]]:
        return set(keys(await listed(client, PATH, **params), KEY))

    assert await found(body__isnull="true") == set(keys(empty, KEY))
    assert await found(body__isnull="false") == set(keys(filled, KEY))
    # `ne` keeps the rows where the column is NULL, as "not equal" reads.
    assert await found(body__ne=filled[0]["body"]) == set(keys([filled[1], *empty], KEY))
    for sort in ("body", "-body"):
        paged = await all_pages(client, PATH, sort=sort, limit=1)
        assert [row["body"] is None for row in paged] == [False, False, True, True]
        assert paged == await listed(client, PATH, sort=sort)


async def test_cursor_pages_are_complete_when_sort_values_tie(client: AsyncClient) -> None:
    first = await factories.create_review(client)
    rows = [first] + [
        await factories.create_review(client, rating=first["rating"]) for _ in range(4)
    ]
    for sort in ("rating", "-rating"):
        paged = await all_pages(client, PATH, sort=sort, limit=2)
        assert paged == await listed(client, PATH, sort=sort)
        assert sorted(keys(paged, KEY)) == sorted(keys(rows, KEY))


async def test_fields_selects_only_those_fields_and_the_key(client: AsyncClient) -> None:
    row = await factories.create_review(client)
    expected = {name: row[name] for name in (*KEY, "book_id")}
    assert await listed(client, PATH, fields="book_id") == [expected]
    response = await client.get(f"/reviews/{row['id']}", params={"fields": "book_id"})
    assert response.json() == expected


async def test_include_book(client: AsyncClient) -> None:
    row = await factories.create_review(client)
    (item,) = await listed(client, PATH, include="book")
    assert item["book"] is not None
    assert item["book"]["id"] == row["book_id"]


async def test_list_runs_the_same_statements_for_5_and_50_rows(client: AsyncClient) -> None:
    include = "book"
    for _ in range(5):
        await factories.create_review(client)
    small = await client.get(PATH, params={"include": include, "count": "true"})
    payloads = [await factories.review_payload(client) for _ in range(45)]
    assert (await client.post(f"{PATH}/bulk", json=payloads)).status_code == 201
    large = await client.get(PATH, params={"include": include, "count": "true", "limit": 50})
    assert len(large.json()["items"]) == 50
    # One SELECT for the page, at most one per include, one for the count.
    assert statements(large) == statements(small) <= 1 + 1 + 1


async def test_missing_rows_are_404(client: AsyncClient) -> None:
    assert (await client.get("/reviews/2147483000")).status_code == 404
    assert (await client.patch("/reviews/2147483000", json={})).status_code == 404
    assert (await client.delete("/reviews/2147483000")).status_code == 404


async def test_unknown_book_id_is_409(client: AsyncClient) -> None:
    payload = await factories.review_payload(client, book_id=2147483000)
    response = await client.post(PATH, json=payload)
    assert response.status_code == 409, response.text
    assert "foreign key" in response.json()["detail"]


async def test_unknown_parameters_and_bad_values_are_422(client: AsyncClient) -> None:
    cases: list[tuple[dict[str, str | list[str]], list[str | int]]] = [
        ({"nope": "1"}, ["query", "nope"]),
        ({"id__nope": "1"}, ["query", "id__nope"]),
        ({"sort": "nope"}, ["query", "sort", 0]),
        ({"fields": "nope"}, ["query", "fields", 0]),
        ({"include": "nope"}, ["query", "include", 0]),
        ({"id": "not-a-value"}, ["query", "id"]),
        ({"id__gt": "2147483648"}, ["query", "id__gt"]),
        ({"reviewer__ne": "a\x00b"}, ["query", "reviewer__ne"]),
        ({"id__in": ""}, ["query", "id__in"]),
        ({"id": "1", "id__eq": "1"}, ["query", "id__eq"]),
        ({"sort": ["id", "-id"]}, ["query", "sort"]),
        ({"sort": "id,-id"}, ["query", "sort"]),
    ]
    for params, location in cases:
        assert error_location(await client.get(PATH, params=params)) == location
    # A key past its column's range: a 422, not a database error.
    assert error_location(await client.get("/reviews/2147483648")) == ["path", "id"]
