"""The floor: one asyncpg statement per request, whose JSON PostgreSQL builds.

No ORM, no SQLAlchemy, no serialisation in Python: each endpoint runs one statement that
returns the whole response body as text (`json_build_object`, `json_agg` and correlated
subqueries for the author and the tags) and sends it as it comes. What a read path built
on SQLAlchemy can hope to approach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from fastapi import FastAPI, HTTPException, Request, Response

from benchmarks.api.variants.common import (
    COUNTING,
    MAX_OVERFLOW,
    POOL_SIZE,
    StatementCounter,
    count_statement,
    database_url,
)

# A book as JSON from a row `b` of books; price as text, as pydantic writes a Decimal.
_ROW_FIELDS = """'id', b.id, 'title', b.title, 'isbn', b.isbn, 'price', b.price::text,
    'published_on', b.published_on, 'author_id', b.author_id"""
ROW_JSON = f"json_build_object({_ROW_FIELDS})"
BOOK_JSON = f"""json_build_object({_ROW_FIELDS},
    'author', (SELECT json_build_object('id', a.id, 'name', a.name)
               FROM authors a WHERE a.id = b.author_id),
    'tags', (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name)
                                      ORDER BY t.id), '[]'::json)
             FROM book_tags bt JOIN tags t ON t.id = bt.tag_id WHERE bt.book_id = b.id))"""
LIST_SQL = f"""
SELECT json_build_object('items', coalesce(json_agg({BOOK_JSON} ORDER BY b.id), '[]'::json))::text
FROM (SELECT id, title, isbn, price, published_on, author_id FROM books
      WHERE price >= $1 ORDER BY id LIMIT $2) AS b"""
GET_SQL = f"SELECT {BOOK_JSON}::text FROM books b WHERE b.id = $1"
CREATE_SQL = f"""
INSERT INTO books AS b (title, isbn, description, price, published_on, author_id)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ROW_JSON}::text"""


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Skip the pool's reset query (RESET ALL, UNLISTEN ...), a round trip per request:
    these statements change no session state."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with asyncpg.create_pool(
        database_url(),
        min_size=POOL_SIZE,
        max_size=POOL_SIZE + MAX_OVERFLOW,
        reset=_keep_session,
    ) as pool:
        app.state.pool = pool
        yield


app = FastAPI(lifespan=lifespan)
if COUNTING:
    app.add_middleware(StatementCounter)


async def _fetchval(request: Request, sql: str, *args: Any) -> Any:
    """The one way this app runs SQL, so that counting sees every statement."""
    count_statement()
    pool: asyncpg.Pool = request.app.state.pool
    return await pool.fetchval(sql, *args)


def _json(body: str | None, status_code: int = 200) -> Response:
    if body is None:
        raise HTTPException(404, "book not found")
    return Response(body, status_code=status_code, media_type="application/json")


@app.get("/books")
async def list_books(request: Request, price__gte: Decimal, limit: int = 50) -> Response:
    return _json(await _fetchval(request, LIST_SQL, price__gte, limit))


@app.get("/books/{id}")
async def get_book(request: Request, id: int) -> Response:
    return _json(await _fetchval(request, GET_SQL, id))


@app.post("/books")
async def create_book(request: Request) -> Response:
    try:
        data = orjson.loads(await request.body())
        published_on = data.get("published_on")
        values = (
            str(data["title"]),
            str(data["isbn"]),
            data.get("description"),
            Decimal(str(data["price"])),
            None if published_on is None else dt.date.fromisoformat(published_on),
            int(data["author_id"]),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise HTTPException(422, f"bad book: {error}") from None
    return _json(await _fetchval(request, CREATE_SQL, *values), status_code=201)
