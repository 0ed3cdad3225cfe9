"""Alembic's environment: the models' metadata, and the connection to migrate.

`migrate` (core/migrate.py) passes the connection it holds the migration lock on in
`config.attributes["connection"]`; the `alembic` command (`alembic revision --autogenerate`)
connects with the app's settings.
"""

import asyncio

from alembic import context
from sqlalchemy import Connection

from app.core.config import get_settings
from app.core.db import create_engine, metadata_of
from app.models import Author, Book, Review, Tag

TARGET_METADATA = metadata_of(Author, Book, Tag, Review)


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=list(TARGET_METADATA),
        # SQLite alters a table by copying it into a new one.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _connect_and_run() -> None:
    engine = create_engine(get_settings())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("the migrations run on a database: offline (--sql) mode is not supported")
connection = context.config.attributes.get("connection")
if connection is None:
    asyncio.run(_connect_and_run())
else:
    run_migrations(connection)
