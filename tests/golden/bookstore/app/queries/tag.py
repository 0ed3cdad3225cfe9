"""Every statement the tags API runs."""

from collections.abc import Sequence

from pydantic import MISSING
from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import listing
from app.core.db import table_of
from app.core.reads import ReadConnection
from app.core.relations import ManyToMany, Row
from app.models import Book, Tag
from app.schemas.tag import TagCreate, TagItemQuery, TagQuery, TagUpdate

tags = table_of(Tag)
books = table_of(Book)
book_tags = tags.metadata.tables["book_tags"]

RESOURCE = listing.Resource(
    table=tags,
    columns={
        "id": tags.c.id,
        "name": tags.c.name,
    },
    default_fields=(
        "id",
        "name",
    ),
    primary_key=("id",),
    includes={
        "books": ManyToMany(
            local=("id",),
            secondary=(book_tags.c.tag_id,),
            source=book_tags.join(books, book_tags.c.book_id == books.c.id),
            columns=(
                books.c.id,
                books.c.title,
                books.c.isbn,
                books.c.price,
                books.c.format,
                books.c.pages,
                books.c.published_on,
                books.c.author_id,
            ),
            key=("id",),
            order_by=(books.c.id,),
        ),
    },
)
# Writes return the columns a read returns by default.
RETURNING = (
    RESOURCE.columns["id"],
    RESOURCE.columns["name"],
)


async def list_tags(connection: ReadConnection, query: TagQuery, pager: listing.Pager) -> bytes:
    """A page of tags, as its JSON body."""
    return await listing.fetch_page(connection, RESOURCE, query, pager, query.include)


async def get_tag(connection: ReadConnection, id: int, query: TagItemQuery) -> bytes | None:
    """One tag as its JSON body; None when no row has this key."""
    return await listing.read_one(connection, RESOURCE, (id,), query.fields, query.include)


async def insert_tags(session: AsyncSession, items: Sequence[TagCreate]) -> list[Row]:
    """INSERT ... RETURNING for all items, then their links.

    One statement on PostgreSQL per set of fields the items give (usually one); SQLite
    runs one per row to return rows in the order of the items.
    """
    result = await session.execute(
        insert(Tag).returning(*RETURNING, sort_by_parameter_order=True),
        [item.model_dump(exclude={"book_ids"}) for item in items],
    )
    rows = [row._asdict() for row in result]
    book_links = [
        {"tag_id": row["id"], "book_id": value}
        for row, item in zip(rows, items, strict=True)
        for value in dict.fromkeys(item.book_ids)  # a repeated id links once
    ]
    if book_links:
        await session.execute(insert(book_tags), book_links)
    return rows


async def update_tag(session: AsyncSession, id: int, changes: TagUpdate) -> Row | None:
    """UPDATE ... RETURNING the changed row; None when no row has this key."""
    values = changes.model_dump(exclude={"book_ids"})
    if values:
        statement = (
            update(Tag)
            .where(tags.c.id == id)
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
    if changes.book_ids is not MISSING:
        key = row["id"]
        await session.execute(delete(book_tags).where(book_tags.c.tag_id == key))
        if changes.book_ids:
            await session.execute(
                insert(book_tags),
                [{"tag_id": key, "book_id": value} for value in dict.fromkeys(changes.book_ids)],
            )
    return row


async def delete_tag(session: AsyncSession, id: int) -> bool:
    """DELETE one row and its links; False when no row has this key."""
    await session.execute(delete(book_tags).where(book_tags.c.tag_id == id))
    statement = (
        delete(Tag)
        .where(tags.c.id == id)
        .returning(tags.c.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None
