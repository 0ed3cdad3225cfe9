"""Hand-tuned ORM: AsyncSession, only the columns returned, relationships loaded eagerly.

What a careful SQLAlchemy user writes by hand: `load_only` on the book and its author,
the author joined in (`joinedload`, an inner join since every book has one), the tags in
one IN-query (`selectinload`), and dicts dumped with orjson rather than pydantic models
built per row. Two statements per read, one per create.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import joinedload, load_only, selectinload

from benchmarks.api.models import Author, Book, Tag
from benchmarks.api.variants.common import (
    COUNTING,
    MAX_OVERFLOW,
    POOL_SIZE,
    StatementCounter,
    count_engine_statements,
    database_url,
)

engine = create_async_engine(
    database_url("postgresql+asyncpg"), pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW
)
sessions = async_sessionmaker(engine, expire_on_commit=False)
app = FastAPI()
if COUNTING:
    count_engine_statements(engine)
    app.add_middleware(StatementCounter)

LOAD = (
    load_only(Book.id, Book.title, Book.isbn, Book.price, Book.published_on, Book.author_id),
    joinedload(Book.author, innerjoin=True).load_only(Author.id, Author.name),
    selectinload(Book.tags).load_only(Tag.id, Tag.name),
)


class BookCreate(BaseModel):
    title: str = Field(max_length=300)
    isbn: str = Field(max_length=13)
    description: str | None = None
    price: Decimal = Field(max_digits=10, decimal_places=2)
    published_on: dt.date | None = None
    author_id: int


async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def _row(book: Book) -> dict[str, Any]:
    return {
        "id": book.id,
        "title": book.title,
        "isbn": book.isbn,
        "price": str(book.price),
        "published_on": book.published_on,
        "author_id": book.author_id,
    }


def _book(book: Book) -> dict[str, Any]:
    item = _row(book)
    item["author"] = {"id": book.author.id, "name": book.author.name}
    item["tags"] = [{"id": tag.id, "name": tag.name} for tag in sorted(book.tags, key=_tag_id)]
    return item


def _tag_id(tag: Tag) -> int:
    return tag.id


def _json(content: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json")


@app.get("/books")
async def list_books(session: SessionDep, price__gte: Decimal, limit: int = 50) -> Response:
    statement = (
        select(Book).options(*LOAD).where(Book.price >= price__gte).order_by(Book.id).limit(limit)
    )
    books = (await session.scalars(statement)).unique().all()
    return _json({"items": [_book(book) for book in books]})


@app.get("/books/{id}")
async def get_book(session: SessionDep, id: int) -> Response:
    book = await session.get(Book, id, options=LOAD)
    if book is None:
        raise HTTPException(404, "book not found")
    return _json(_book(book))


@app.post("/books", status_code=201)
async def create_book(session: SessionDep, item: BookCreate) -> Response:
    book = Book(**item.model_dump())
    session.add(book)
    await session.commit()
    return _json(_row(book), status_code=201)
