"""FastCRUD 0.23 as its documentation shows it, in two variants: the author joined, or the
author and the tags.

Endpoints are "user-defined endpoints" over a `FastCRUD(Book)` (FastCRUD's README), with
a session dependency and response models; joins follow its joins guide: `JoinConfig` per
joined model, `nest_joins=True`, and for many-to-many the association model, then the
related one with `relationship_type="one-to-many"`. `crud_router` can't serve these
pages: its relationship auto-detection skips a many-to-many, and it selects every column
of a joined model (the author's 1 KB bio too).

Two documented behaviours shape the numbers. Lists also return `total_count` (a second
statement, `return_total_count=True` by default). And FastCRUD applies `limit` to the
joined rows, so a page of 50 books with 3 tags each asks for 150 rows: this variant
passes `limit * TAGS_PER_BOOK`, exact here only because every seeded book has 3 tags.

`create(schema_to_select=...)` fails on these models: after its refresh it reads every
column attribute, and the deferred description then loads lazily, which AsyncSession
refuses (MissingGreenlet). The endpoint creates, then gets the row by its unique isbn: an
INSERT and a SELECT, the two statements that create's commit and refresh would run.
"""

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException
from fastcrud import FastCRUD, JoinConfig
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from benchmarks.api.models import Author, Base, Book, Tag, book_tags
from benchmarks.api.seed import TAGS_PER_BOOK
from benchmarks.api.variants.common import (
    COUNTING,
    MAX_OVERFLOW,
    POOL_SIZE,
    StatementCounter,
    count_engine_statements,
    database_url,
)


class BookTag(Base):
    """The association table mapped as a class: FastCRUD's many-to-many joins need one."""

    __table__ = book_tags
    __tablename__ = "book_tags"


class AuthorRead(BaseModel):
    id: int
    name: str


class TagRead(BaseModel):
    id: int
    name: str


class BookRead(BaseModel):
    id: int
    title: str
    isbn: str
    price: Decimal
    published_on: dt.date | None
    author_id: int


class BookWithAuthor(BookRead):
    author: AuthorRead


class BookWithTags(BookWithAuthor):
    tags: list[TagRead]


class BookCreate(BaseModel):
    title: str = Field(max_length=300)
    isbn: str = Field(max_length=13)
    description: str | None = None
    price: Decimal = Field(max_digits=10, decimal_places=2)
    published_on: dt.date | None = None
    author_id: int


AUTHOR = JoinConfig(
    model=Author,
    join_on=Book.author_id == Author.id,
    join_prefix="author_",
    schema_to_select=AuthorRead,
)
TAGS = (
    JoinConfig(
        model=BookTag,
        join_on=Book.id == book_tags.c.book_id,
        join_prefix="book_tags_",
        join_type="inner",
    ),
    JoinConfig(
        model=Tag,
        join_on=book_tags.c.tag_id == Tag.id,
        join_prefix="tags_",
        schema_to_select=TagRead,
        join_type="inner",
        relationship_type="one-to-many",
        sort_columns="id",
    ),
)


def create_app(*, tags: bool) -> FastAPI:
    """The app: books with their author, and with their tags too when `tags`."""
    engine = create_async_engine(
        database_url("postgresql+asyncpg"), pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW
    )
    sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    crud: FastCRUD[Any, Any, Any, Any, Any, Any] = FastCRUD(Book)
    joins = [AUTHOR, *TAGS] if tags else [AUTHOR]
    item = BookWithTags if tags else BookWithAuthor
    rows_per_book = TAGS_PER_BOOK if tags else 1

    class Page(BaseModel):
        data: list[item]  # type: ignore[valid-type]
        total_count: int

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    session_dep = Annotated[AsyncSession, Depends(get_session)]
    app = FastAPI()
    if COUNTING:
        count_engine_statements(engine)
        app.add_middleware(StatementCounter)

    @app.get("/books", response_model=Page)
    async def list_books(
        db: session_dep, price__gte: Decimal, offset: int = 0, limit: int = 50
    ) -> Any:
        return await crud.get_multi_joined(
            db,
            schema_to_select=BookRead,
            joins_config=joins,
            nest_joins=True,
            offset=offset * rows_per_book,
            limit=limit * rows_per_book,
            sort_columns="id",
            price__gte=price__gte,
        )

    @app.get("/books/{id}", response_model=item)
    async def get_book(db: session_dep, id: int) -> Any:
        book = await crud.get_joined(
            db, schema_to_select=BookRead, joins_config=joins, nest_joins=True, id=id
        )
        if book is None:
            raise HTTPException(404, "book not found")
        return book

    @app.post("/books", response_model=BookRead, status_code=201)
    async def create_book(db: session_dep, book: BookCreate) -> Any:
        await crud.create(db, book)
        return await crud.get(db, schema_to_select=BookRead, isbn=book.isbn)

    return app
