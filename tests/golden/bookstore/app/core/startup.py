"""What the app checks before it serves, and start-up failures told in one line.

An app that can't serve (its database unreachable, its tables missing) stops at start-up
saying why, rather than answering its first requests with 500s.
"""

import logging
import sys
from collections.abc import Sequence

from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import create_tables

_log = logging.getLogger(__name__)


class StartupError(Exception):
    """Why the app can't serve, and what to do, in one line."""


async def prepare_database(
    engine: AsyncEngine, metadata: Sequence[MetaData], *, create: bool
) -> None:
    """Check that every table exists; with `create` (CREATE_TABLES), create those missing."""
    try:
        async with engine.begin() as connection:
            if create:
                _log.warning("CREATE_TABLES: creating the tables missing, without a migration")
                await create_tables(connection, metadata)
                return
            missing = await connection.run_sync(missing_tables, metadata)
    except (OSError, DBAPIError) as error:
        url = engine.url.render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise StartupError(f"cannot use the database at {url}: {reason}") from error
    if missing:
        raise StartupError(
            f"the database has no table {', '.join(missing)}: run `migrate` (or write the "
            "migration that creates it: alembic revision --autogenerate)"
        )


def missing_tables(connection: Connection, metadata: Sequence[MetaData]) -> list[str]:
    """The models' tables the database lacks (a query per schema, however many tables)."""
    inspector = inspect(connection)
    tables = [table for each in metadata for table in each.tables.values()]
    present = {
        schema: set(inspector.get_table_names(schema=schema))
        for schema in {table.schema for table in tables}
    }
    return [table.fullname for table in tables if table.name not in present[table.schema]]


class StartupErrorMiddleware:
    """Reports a StartupError as its one line: Starlette reports a failed start-up with the
    whole traceback, which buries the reason."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_reason(message: Message) -> None:
            # Starlette sends the failure while it handles the exception.
            error = sys.exc_info()[1]
            if message["type"] == "lifespan.startup.failed" and isinstance(error, StartupError):
                message = {**message, "message": str(error)}
            await send(message)

        await self.app(scope, receive, send_reason)
