"""Reads run outside a transaction, and once more on a fresh connection if theirs was dead.

At READ COMMITTED every statement sees its own snapshot even inside a transaction, so a
transaction gives a read nothing but two more round trips (BEGIN, and ROLLBACK when the
connection goes back to the pool): reads run in autocommit.

A pooled connection is pinged only when it has been idle for a while (see core/db.py), not
at every checkout. One that died since (a database restart, a proxy's idle timeout) fails
its first statement; SQLAlchemy then discards it and the pool's older connections, and the
read runs once more on a new one.
"""

from collections.abc import Awaitable, Callable, Sequence
from time import perf_counter
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util.concurrency import await_only, greenlet_spawn

from app.core.timing import record_statement

P = ParamSpec("P")
T = TypeVar("T")


class ConnectionLost(Exception):
    """A connection died before a statement run on its driver could finish; the connection
    was invalidated."""


class ReadConnection:
    """Where one read runs its statements: on the driver's connection (asyncpg's) for those
    PostgreSQL answers in JSON (core/postgres.py), which skips SQLAlchemy's Connection (a
    third of a get's checkout and execution cost), or on a Core `AsyncConnection`, taken
    from the engine's pool when first used, for the others."""

    def __init__(self, engine: AsyncEngine, *, postgres_json: bool, max_related: int) -> None:
        self._engine = engine
        self.dialect: Dialect = engine.dialect
        self.postgres_json = postgres_json and engine.dialect.driver == "asyncpg"
        """Whether PostgreSQL builds the JSON of reads."""
        self.max_related = max_related
        """Related rows served at most per row and to-many include."""
        self._core: AsyncConnection | None = None

    async def fetchrow(self, sql: str, arguments: Sequence[Any]) -> Any:
        """The first row of `sql`, run on a driver connection the engine's pool lends for
        this statement, and counted in the request's statistics (the engine's events don't
        see it).

        The checkout, the statement and the checkin share one greenlet: SQLAlchemy's pool
        is synchronous, and a greenlet each for the checkout and the checkin costs four
        times what the pool's own work does.
        """
        return await greenlet_spawn(self._fetchrow, sql, arguments)

    def _fetchrow(self, sql: str, arguments: Sequence[Any]) -> Any:
        lent = self._engine.sync_engine.raw_connection()
        driver: Any = lent.driver_connection
        started = perf_counter()
        try:
            return await_only(driver.fetchrow(sql, *arguments))
        except Exception as error:
            if driver.is_closed():  # it died since the pool lent it: the Reader reads again
                lent.invalidate(error)
                raise ConnectionLost() from error
            raise
        finally:
            record_statement(perf_counter() - started, sql)
            lent.close()

    async def core(self) -> AsyncConnection:
        if self._core is None:
            self._core = await self._engine.connect()
        return self._core

    async def close(self) -> None:
        """Give the Core connection back to the pool."""
        if self._core is not None:
            core, self._core = self._core, None
            await core.close()


class Reader:
    def __init__(
        self, engine: AsyncEngine, *, postgres_json: bool = True, max_related: int = 100
    ) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._postgres_json = postgres_json
        self._max_related = max_related

    async def run(
        self,
        read: Callable[Concatenate[ReadConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`read(connection, *args, **kwargs)`, retried once if the connection was dead."""
        try:
            return await self._once(read, *args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        except ConnectionLost:
            pass
        return await self._once(read, *args, **kwargs)

    async def _once(
        self,
        read: Callable[Concatenate[ReadConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        connection = ReadConnection(
            self._engine, postgres_json=self._postgres_json, max_related=self._max_related
        )
        try:
            return await read(connection, *args, **kwargs)
        finally:
            await connection.close()
