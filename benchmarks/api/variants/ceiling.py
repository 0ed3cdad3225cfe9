"""The ceiling: bare FastAPI returning bytes computed before the first request.

At start-up it reads, with the floor's SQL, the list page every variant is asked for,
every book as `GET /books/{id}` returns it, and one created book; requests then touch no
database: what one uvicorn worker with FastAPI's routing serves, whatever the data layer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, HTTPException, Response

from benchmarks.api.variants.common import LIST_LIMIT, LIST_PRICE_GTE, database_url
from benchmarks.api.variants.floor import BOOK_JSON, LIST_SQL, ROW_JSON

_bodies: dict[str, bytes] = {}
_books: dict[int, bytes] = {}


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    connection = await asyncpg.connect(database_url())
    try:
        body = await connection.fetchval(LIST_SQL, LIST_PRICE_GTE, LIST_LIMIT)
        _bodies["list"] = body.encode()
        for key, book in await connection.fetch(f"SELECT b.id, {BOOK_JSON}::text FROM books b"):
            _books[key] = book.encode()
        # A created book comes back without its author and tags, as the first book here.
        created = await connection.fetchval(f"SELECT {ROW_JSON}::text FROM books b ORDER BY id")
        _bodies["create"] = created.encode()
    finally:
        await connection.close()
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/books")
async def list_books() -> Response:
    return Response(_bodies["list"], media_type="application/json")


@app.get("/books/{id}")
async def get_book(id: int) -> Response:
    body = _books.get(id)
    if body is None:
        raise HTTPException(404, "book not found")
    return Response(body, media_type="application/json")


@app.post("/books", status_code=201)
async def create_book() -> Response:
    return Response(_bodies["create"], status_code=201, media_type="application/json")
