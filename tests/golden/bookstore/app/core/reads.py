"""Reads run outside a transaction, and once more on a fresh connection if theirs was dead.

At READ COMMITTED every statement sees its own snapshot even inside a transaction, so a
transaction gives a read nothing but two more round trips (BEGIN, and ROLLBACK when the
connection goes back to the pool): reads run in autocommit.

A pooled connection is pinged only when it has been idle for a while (see core/db.py), not
at every checkout. One that died since (a database restart, a proxy's idle timeout) fails
its first statement; SQLAlchemy then discards it and the pool's older connections, and the
read runs once more on a new one.
"""

from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

P = ParamSpec("P")
T = TypeVar("T")


class ConnectionLost(Exception):
    """A connection died before a statement run on its driver (core/postgres.py) could
    finish; the connection was invalidated."""


class Reader:
    def __init__(self, engine: AsyncEngine, *, postgres_json: bool = True) -> None:
        # `postgres_json`: PostgreSQL builds the JSON of reads (core/listing.py).
        self._engine = engine.execution_options(
            isolation_level="AUTOCOMMIT", postgres_json=postgres_json
        )

    async def run(
        self,
        read: Callable[Concatenate[AsyncConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`read(connection, *args, **kwargs)`, retried once if the connection was dead."""
        try:
            async with self._engine.connect() as connection:
                return await read(connection, *args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        except ConnectionLost:
            pass
        async with self._engine.connect() as connection:
            return await read(connection, *args, **kwargs)
