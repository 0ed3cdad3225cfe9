"""Every statement the authors API runs."""

from collections.abc import Sequence

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import listing
from app.core.db import table_of
from app.core.reads import ReadConnection
from app.core.relations import OneToMany, Row
from app.core.types import utc
from app.models import Author, Book
from app.schemas.author import AuthorCreate, AuthorItemQuery, AuthorQuery, AuthorUpdate

authors = table_of(Author)
books = table_of(Book)

RESOURCE = listing.Resource(
    table=authors,
    columns={
        "id": authors.c.id,
        "name": authors.c.name,
        "email": authors.c.email,
        "bio": authors.c.bio,
        "joined_at": utc(authors.c.joined_at),
    },
    default_fields=(
        "id",
        "name",
        "email",
        "joined_at",
    ),
    primary_key=("id",),
    nullable=frozenset({"email", "bio"}),
    includes={
        "books": OneToMany(
            local=("id",),
            remote=(books.c.author_id,),
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
    RESOURCE.columns["email"],
    RESOURCE.columns["joined_at"],
)


async def list_authors(
    connection: ReadConnection, query: AuthorQuery, pager: listing.Pager
) -> bytes:
    """A page of authors, as its JSON body."""
    return await listing.fetch_page(connection, RESOURCE, query, pager, query.include)


async def get_author(connection: ReadConnection, id: int, query: AuthorItemQuery) -> bytes | None:
    """One author as its JSON body; None when no row has this key."""
    return await listing.read_one(connection, RESOURCE, (id,), query.fields, query.include)


async def insert_authors(session: AsyncSession, items: Sequence[AuthorCreate]) -> list[Row]:
    """INSERT ... RETURNING for all items.

    One statement on PostgreSQL per set of fields the items give (usually one); SQLite
    runs one per row to return rows in the order of the items.
    """
    result = await session.execute(
        insert(Author).returning(*RETURNING, sort_by_parameter_order=True),
        [item.model_dump() for item in items],
    )
    return [row._asdict() for row in result]


async def update_author(session: AsyncSession, id: int, changes: AuthorUpdate) -> Row | None:
    """UPDATE ... RETURNING the changed row; None when no row has this key."""
    values = changes.model_dump()
    if values:
        statement = (
            update(Author)
            .where(authors.c.id == id)
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


async def delete_author(session: AsyncSession, id: int) -> bool:
    """DELETE one row; False when no row has this key."""
    statement = (
        delete(Author)
        .where(authors.c.id == id)
        .returning(authors.c.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None
