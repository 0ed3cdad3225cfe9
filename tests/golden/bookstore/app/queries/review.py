"""Every statement the reviews API runs."""

from collections.abc import Sequence

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import listing
from app.core.db import table_of
from app.core.reads import ReadConnection
from app.core.relations import ManyToOne, Row
from app.core.types import utc
from app.models import Book, Review
from app.schemas.review import ReviewCreate, ReviewItemQuery, ReviewQuery, ReviewUpdate

reviews = table_of(Review)
books = table_of(Book)

RESOURCE = listing.Resource(
    table=reviews,
    columns={
        "id": reviews.c.id,
        "book_id": reviews.c.book_id,
        "reviewer": reviews.c.reviewer,
        "rating": reviews.c.rating,
        "body": reviews.c.body,
        "created_at": utc(reviews.c.created_at),
    },
    default_fields=(
        "id",
        "book_id",
        "reviewer",
        "rating",
        "body",
        "created_at",
    ),
    primary_key=("id",),
    nullable=frozenset({"body"}),
    includes={
        "book": ManyToOne(
            local=("book_id",),
            remote=(books.c.id,),
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
        ),
    },
)
# Writes return the columns a read returns by default.
RETURNING = (
    RESOURCE.columns["id"],
    RESOURCE.columns["book_id"],
    RESOURCE.columns["reviewer"],
    RESOURCE.columns["rating"],
    RESOURCE.columns["body"],
    RESOURCE.columns["created_at"],
)


async def list_reviews(
    connection: ReadConnection, query: ReviewQuery, pager: listing.Pager
) -> bytes:
    """A page of reviews, as its JSON body."""
    return await listing.fetch_page(connection, RESOURCE, query, pager, query.include)


async def get_review(connection: ReadConnection, id: int, query: ReviewItemQuery) -> bytes | None:
    """One review as its JSON body; None when no row has this key."""
    return await listing.read_one(connection, RESOURCE, (id,), query.fields, query.include)


async def insert_reviews(session: AsyncSession, items: Sequence[ReviewCreate]) -> list[Row]:
    """INSERT ... RETURNING for all items.

    One statement on PostgreSQL per set of fields the items give (usually one); SQLite
    runs one per row to return rows in the order of the items.
    """
    result = await session.execute(
        insert(Review).returning(*RETURNING, sort_by_parameter_order=True),
        [item.model_dump() for item in items],
    )
    return [row._asdict() for row in result]


async def update_review(session: AsyncSession, id: int, changes: ReviewUpdate) -> Row | None:
    """UPDATE ... RETURNING the changed row; None when no row has this key."""
    values = changes.model_dump()
    if values:
        statement = (
            update(Review)
            .where(reviews.c.id == id)
            .values(values)
            .returning(*RETURNING)
            .execution_options(synchronize_session=False)
        )
        found = (await session.execute(statement)).first()
        row: Row | None = None if found is None else found._asdict()
    else:
        # Nothing to set: the row is read, not updated.
        row = await listing.fetch_one(await session.connection(), RESOURCE, (id,))
    return row


async def delete_review(session: AsyncSession, id: int) -> bool:
    """DELETE one row; False when no row has this key."""
    statement = (
        delete(Review)
        .where(reviews.c.id == id)
        .returning(reviews.c.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None
