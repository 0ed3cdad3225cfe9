"""Factories: valid rows of every model, created through the API with the rows they need."""

import datetime as dt
import itertools
from typing import Any

from httpx import AsyncClient

numbers = itertools.count(1)
"""Feeds the samples, so that every row gets values no other row has."""


def author_sample(n: int) -> dict[str, Any]:
    """Values of a valid author, without the rows it references."""
    return {
        "name": f"name-{n}",
        "email": f"email-{n}",
        "bio": f"bio-{n}",
    }


async def author_payload(client: AsyncClient, /, **fields: Any) -> dict[str, Any]:
    """A valid new author: `fields` over samples, and the rows it references."""
    payload = author_sample(next(numbers))
    return payload | fields


async def create_author(client: AsyncClient, /, **fields: Any) -> dict[str, Any]:
    """POST a valid new author; return it as the API does."""
    response = await client.post("/authors", json=await author_payload(client, **fields))
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row


def book_sample(n: int) -> dict[str, Any]:
    """Values of a valid book, without the rows it references."""
    return {
        "title": f"title-{n}",
        "isbn": f"{n:09d}",
        "price": f"{n % 100000000}.55",
        "pages": n,
        "published_on": (dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat(),
    }


async def book_payload(client: AsyncClient, /, **fields: Any) -> dict[str, Any]:
    """A valid new book: `fields` over samples, and the rows it references."""
    payload = book_sample(next(numbers))
    if "author_id" not in fields:
        author = await create_author(client)
        payload["author_id"] = author["id"]
    return payload | fields


async def create_book(client: AsyncClient, /, **fields: Any) -> dict[str, Any]:
    """POST a valid new book; return it as the API does."""
    response = await client.post("/books", json=await book_payload(client, **fields))
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row


def tag_sample(n: int) -> dict[str, Any]:
    """Values of a valid tag, without the rows it references."""
    return {
        "name": f"name-{n}",
    }


async def tag_payload(client: AsyncClient, /, **fields: Any) -> dict[str, Any]:
    """A valid new tag: `fields` over samples, and the rows it references."""
    payload = tag_sample(next(numbers))
    return payload | fields


async def create_tag(client: AsyncClient, /, **fields: Any) -> dict[str, Any]:
    """POST a valid new tag; return it as the API does."""
    response = await client.post("/tags", json=await tag_payload(client, **fields))
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row


def review_sample(n: int) -> dict[str, Any]:
    """Values of a valid review, without the rows it references."""
    return {
        "reviewer": f"reviewer-{n}",
        "rating": n,
        "body": f"body-{n}",
    }


async def review_payload(client: AsyncClient, /, **fields: Any) -> dict[str, Any]:
    """A valid new review: `fields` over samples, and the rows it references."""
    payload = review_sample(next(numbers))
    if "book_id" not in fields:
        book = await create_book(client)
        payload["book_id"] = book["id"]
    return payload | fields


async def create_review(client: AsyncClient, /, **fields: Any) -> dict[str, Any]:
    """POST a valid new review; return it as the API does."""
    response = await client.post("/reviews", json=await review_payload(client, **fields))
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row
