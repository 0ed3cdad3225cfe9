"""Tests of the tags API."""

import json
from typing import Any

from httpx import AsyncClient

from tests import factories
from tests.conftest import serve
from tests.utils import assert_stored, error_location, keys, listed, statements

PATH = "/tags"
KEY = ("id",)


async def test_create_get_update_delete(client: AsyncClient) -> None:
    row = await factories.create_tag(client)
    url = f"/tags/{row['id']}"

    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.json().items() >= row.items()

    changes = {"name": factories.tag_sample(next(factories.numbers))["name"]}
    response = await client.patch(url, json=changes)
    assert response.status_code == 200, response.text
    assert response.json()["name"] != row["name"]
    assert (await client.get(url)).json().items() >= response.json().items()

    response = await client.delete(url)
    assert response.status_code == 204, response.text
    assert (await client.get(url)).status_code == 404


async def test_bulk_create_keeps_the_order_of_the_items(client: AsyncClient) -> None:
    payloads = [await factories.tag_payload(client) for _ in range(3)]
    response = await client.post(f"{PATH}/bulk", json=payloads)
    assert response.status_code == 201, response.text
    created = response.json()
    for row, payload in zip(created, payloads, strict=True):
        assert row == row | {name: value for name, value in payload.items() if name in row}
    assert sorted(keys(await listed(client, PATH), KEY)) == sorted(keys(created, KEY))


async def test_every_acknowledged_write_reads_back_as_written(client: AsyncClient) -> None:
    payloads = [await factories.tag_payload(client) for _ in range(3)]
    response = await client.post(PATH, json=payloads[0])
    assert response.status_code == 201, response.text
    bulk = await client.post(f"{PATH}/bulk", json=payloads[1:])
    assert bulk.status_code == 201, bulk.text
    for row, payload in zip([response.json(), *bulk.json()], payloads, strict=True):
        await assert_stored(client, f"/tags/{row['id']}", payload)
    row = response.json()
    url = f"/tags/{row['id']}"

    # Each field alone, to another row's value.
    changes = await factories.tag_payload(client)
    for name in ["name"]:
        for value in [changes[name]]:
            response = await client.patch(url, json={name: value})
            assert response.status_code == 200, response.text
            await assert_stored(client, url, {name: value})

    # The links alone: set, narrowed, emptied.
    targets = [(await factories.create_book(client))["id"] for _ in range(2)]
    for linked in (targets, targets[1:], []):
        response = await client.patch(url, json={"book_ids": linked})
        assert response.status_code == 200, response.text
        stored = (await client.get(url, params={"include": "books"})).json()
        assert sorted(item["id"] for item in stored["books"]) == sorted(linked)

    response = await client.delete(url)
    assert response.status_code == 204, response.text
    assert (await client.get(url)).status_code == 404
    assert keys([row], KEY)[0] not in keys(await listed(client, PATH), KEY)


async def test_bodies_hold_only_what_the_columns_store(client: AsyncClient) -> None:
    payload = await factories.tag_payload(client)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"no_such_field": 1}, ["body", "no_such_field"]),
        ({"name": "a\x00b"}, ["body", "name"]),
    ]
    for change, location in cases:
        assert error_location(await client.post(PATH, json=payload | change)) == location
    # An unpaired surrogate: JSON can carry it, UTF-8 (and so no database) can't.
    body = json.dumps(payload | {"name": "\ud800"})
    response = await client.post(PATH, content=body, headers={"content-type": "application/json"})
    assert error_location(response) == ["body", "name"]


async def test_comparison_filters(client: AsyncClient) -> None:
    # Samples grow with every row, so rows are created in the order of the field.
    low, middle, high = [await factories.create_tag(client) for _ in range(3)]
    value = middle["id"]

    async def found(**params: Any) -> set[tuple[Any, ...]]:
        return set(keys(await listed(client, PATH, **params), KEY))

    assert await found(id=value) == set(keys([middle], KEY))
    assert await found(id__eq=value) == set(keys([middle], KEY))
    assert await found(id__ne=value) == set(keys([low, high], KEY))
    assert await found(id__gt=value) == set(keys([high], KEY))
    assert await found(id__gte=value) == set(keys([middle, high], KEY))
    assert await found(id__lt=value) == set(keys([low], KEY))
    assert await found(id__lte=value) == set(keys([low, middle], KEY))
    both = ",".join(str(row["id"]) for row in (low, high))
    assert await found(id__in=both) == set(keys([low, high], KEY))


async def test_sort_and_offset_pages(client: AsyncClient) -> None:
    rows = [await factories.create_tag(client) for _ in range(5)]
    pages = [await listed(client, PATH, sort="-id", limit=2, offset=offset) for offset in (0, 2, 4)]
    assert keys(pages[0] + pages[1] + pages[2], KEY) == keys(reversed(rows), KEY)


async def test_text_filters(client: AsyncClient) -> None:
    rows = [await factories.create_tag(client) for _ in range(3)]
    value = rows[1]["name"]

    async def found(**params: Any) -> set[tuple[Any, ...]]:
        return set(keys(await listed(client, PATH, **params), KEY))

    assert await found(name__contains=value[1:]) == set(keys([rows[1]], KEY))
    assert await found(name__icontains=value[1:].upper()) == set(keys([rows[1]], KEY))
    assert await found(name__startswith=value) == set(keys([rows[1]], KEY))
    # LIKE wildcards in a value are matched literally.
    assert await found(name__contains="%") == set()


async def test_fields_selects_only_those_fields_and_the_key(client: AsyncClient) -> None:
    row = await factories.create_tag(client)
    expected = {name: row[name] for name in (*KEY, "name")}
    assert await listed(client, PATH, fields="name") == [expected]
    response = await client.get(f"/tags/{row['id']}", params={"fields": "name"})
    assert response.json() == expected


async def test_include_books(client: AsyncClient) -> None:
    target = await factories.create_book(client)
    row = await factories.create_tag(client, book_ids=[target["id"]])
    response = await client.get(f"/tags/{row['id']}", params={"include": "books"})
    assert [item["id"] for item in response.json()["books"]] == [target["id"]]
    # Changing the links changes this row's response, cached or not.
    other = await factories.create_book(client)
    linked = [target["id"], other["id"]]
    assert (await client.patch(f"/tags/{row['id']}", json={"book_ids": linked})).status_code == 200
    response = await client.get(f"/tags/{row['id']}", params={"include": "books"})
    assert {item["id"] for item in response.json()["books"]} == set(linked)


async def test_include_books_is_bounded_and_sparse(database_url: str) -> None:
    """At most MAX_RELATED books per row, `books_more` when there are more, and
    only the fields `fields=` names (and the key)."""
    async with serve(database_url, max_related=1) as client:
        children = [await factories.create_book(client) for _ in range(2)]
        linked = [child["id"] for child in children]
        row = await factories.create_tag(client, book_ids=linked)
        params = {"include": "books", "fields": "books.id"}
        # The row in the list, which may hold its children too (a table related to itself).
        (in_list,) = [
            item
            for item in await listed(client, PATH, **params)
            if keys([item], KEY) == keys([row], KEY)
        ]
        for body in ((await client.get(f"/tags/{row['id']}", params=params)).json(), in_list):
            # One of the two, with only the field named and the rest of its key.
            (served,) = body["books"]
            assert any(served.items() <= child.items() for child in children)
            assert sorted(served) == ["id"]
            assert body["books_more"] is True
        # The fields of an include that isn't asked for.
        response = await client.get(PATH, params={"fields": params["fields"]})
        assert error_location(response) == ["query", "fields"]


async def test_list_runs_the_same_statements_for_5_and_50_rows(client: AsyncClient) -> None:
    include = "books"
    for _ in range(5):
        await factories.create_tag(client)
    small = await client.get(PATH, params={"include": include, "count": "true"})
    payloads = [await factories.tag_payload(client) for _ in range(45)]
    assert (await client.post(f"{PATH}/bulk", json=payloads)).status_code == 201
    large = await client.get(PATH, params={"include": include, "count": "true", "limit": 50})
    assert len(large.json()["items"]) == 50
    # One SELECT for the page, at most one per include, one for the count.
    assert statements(large) == statements(small) <= 1 + 1 + 1


async def test_missing_rows_are_404(client: AsyncClient) -> None:
    assert (await client.get("/tags/2147483000")).status_code == 404
    assert (await client.patch("/tags/2147483000", json={})).status_code == 404
    assert (await client.delete("/tags/2147483000")).status_code == 404


async def test_duplicate_name_is_409(client: AsyncClient) -> None:
    row = await factories.create_tag(client)
    payload = await factories.tag_payload(client, name=row["name"])
    response = await client.post(PATH, json=payload)
    assert response.status_code == 409, response.text
    assert "unique" in response.json()["detail"]


async def test_unknown_parameters_and_bad_values_are_422(client: AsyncClient) -> None:
    cases: list[tuple[dict[str, str | list[str]], list[str | int]]] = [
        ({"nope": "1"}, ["query", "nope"]),
        ({"id__nope": "1"}, ["query", "id__nope"]),
        ({"sort": "nope"}, ["query", "sort", 0]),
        ({"fields": "nope"}, ["query", "fields", 0]),
        ({"include": "nope"}, ["query", "include", 0]),
        ({"id": "not-a-value"}, ["query", "id"]),
        ({"id__gt": "2147483648"}, ["query", "id__gt"]),
        ({"name__ne": "a\x00b"}, ["query", "name__ne"]),
        ({"id__in": ""}, ["query", "id__in"]),
        ({"id": "1", "id__eq": "1"}, ["query", "id__eq"]),
        ({"sort": ["id", "-id"]}, ["query", "sort"]),
        ({"sort": "id,-id"}, ["query", "sort"]),
    ]
    for params, location in cases:
        assert error_location(await client.get(PATH, params=params)) == location
    # A key past its column's range: a 422, not a database error.
    assert error_location(await client.get("/tags/2147483648")) == ["path", "id"]
