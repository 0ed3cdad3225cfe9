"""Every statement the books API runs."""

from collections.abc import Sequence

from pydantic import MISSING
from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import listing
from app.core.db import table_of
from app.core.reads import ReadConnection
from app.core.relations import ManyToMany, ManyToOne, OneToMany, Row
from app.core.types import utc
from app.models import Author, Book, Review, Tag
from app.schemas.book import BookCreate, BookItemQuery, BookQuery, BookUpdate

books = table_of(Book)
authors = table_of(Author)
tags = table_of(Tag)
book_tags = books.metadata.tables["book_tags"]
reviews = table_of(Review)

RESOURCE = listing.Resource(
    table=books,
    columns={
        "id": books.c.id,
        "title": books.c.title,
        "isbn": books.c.isbn,
        "price": books.c.price,
        "format": books.c.format,
        "pages": books.c.pages,
        "published_on": books.c.published_on,
        "author_id": books.c.author_id,
    },
    default_fields=(
        "id",
        "title",
        "isbn",
        "price",
        "format",
        "pages",
        "published_on",
        "author_id",
    ),
    primary_key=("id",),
    nullable=frozenset({"pages", "published_on"}),
    includes={
        "author": ManyToOne(
            local=("author_id",),
            remote=(authors.c.id,),
            columns=(authors.c.id, authors.c.name, authors.c.email, utc(authors.c.joined_at)),
            key=("id",),
        ),
        "tags": ManyToMany(
            local=("id",),
            secondary=(book_tags.c.book_id,),
            source=book_tags.join(tags, book_tags.c.tag_id == tags.c.id),
            columns=(tags.c.id, tags.c.name),
            key=("id",),
            order_by=(tags.c.id,),
        ),
        "reviews": OneToMany(
            local=("id",),
            remote=(reviews.c.book_id,),
            columns=(
                reviews.c.id,
                reviews.c.book_id,
                reviews.c.reviewer,
                reviews.c.rating,
                reviews.c.body,
                utc(reviews.c.created_at),
            ),
            key=("id",),
            order_by=(reviews.c.id,),
        ),
    },
)
# Writes return the columns a read returns by default.
RETURNING = (
    RESOURCE.columns["id"],
    RESOURCE.columns["title"],
    RESOURCE.columns["isbn"],
    RESOURCE.columns["price"],
    RESOURCE.columns["format"],
    RESOURCE.columns["pages"],
    RESOURCE.columns["published_on"],
    RESOURCE.columns["author_id"],
)


async def list_books(connection: ReadConnection, query: BookQuery, pager: listing.Pager) -> bytes:
    """A page of books, as its JSON body."""
    return await listing.fetch_page(connection, RESOURCE, query, pager, query.include)


async def get_book(connection: ReadConnection, id: int, query: BookItemQuery) -> bytes | None:
    """One book as its JSON body; None when no row has this key."""
    return await listing.read_one(connection, RESOURCE, (id,), query.fields, query.include)


async def insert_books(session: AsyncSession, items: Sequence[BookCreate]) -> list[Row]:
    """INSERT ... RETURNING for all items, then their links.

    One statement on PostgreSQL per set of fields the items give (usually one); SQLite
    runs one per row to return rows in the order of the items.
    """
    result = await session.execute(
        insert(Book).returning(*RETURNING, sort_by_parameter_order=True),
        [item.model_dump(exclude={"tag_ids"}) for item in items],
    )
    rows = [row._asdict() for row in result]
    tag_links = [
        {"book_id": row["id"], "tag_id": value}
        for row, item in zip(rows, items, strict=True)
        for value in dict.fromkeys(item.tag_ids)  # a repeated id links once
    ]
    if tag_links:
        await session.execute(insert(book_tags), tag_links)
    return rows


async def update_book(session: AsyncSession, id: int, changes: BookUpdate) -> Row | None:
    """UPDATE ... RETURNING the changed row; None when no row has this key."""
    values = changes.model_dump(exclude={"tag_ids"})
    if values:
        statement = (
            update(Book)
            .where(books.c.id == id)
            .values(values)
            .returning(*RETURNING)
            .execution_options(synchronize_session=False)
        )
        found = (await session.execute(statement)).first()
        row: Row | None = None if found is None else found._asdict()
    else:
        # Nothing to set but links: the row is read, not updated.
        row = await listing.fetch_one(await session.connection(), RESOURCE, (id,))
    if row is None:
        return None
    if changes.tag_ids is not MISSING:
        key = row["id"]
        await session.execute(delete(book_tags).where(book_tags.c.book_id == key))
        if changes.tag_ids:
            await session.execute(
                insert(book_tags),
                [{"book_id": key, "tag_id": value} for value in dict.fromkeys(changes.tag_ids)],
            )
    return row


async def delete_book(session: AsyncSession, id: int) -> bool:
    """DELETE one row and its links; False when no row has this key."""
    await session.execute(delete(book_tags).where(book_tags.c.book_id == id))
    statement = (
        delete(Book)
        .where(books.c.id == id)
        .returning(books.c.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None
