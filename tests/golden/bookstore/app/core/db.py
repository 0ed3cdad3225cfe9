"""The async engine: pooled, instrumented, and SQLite set up to check foreign keys.

Reads run Core statements on a plain `AsyncConnection` (see core/reads.py): no identity
map, no ORM objects.
Writes run ORM-enabled INSERT, UPDATE and DELETE statements on an `AsyncSession`, which
map attribute names to columns and apply the models' Python-side defaults, still one
statement each.
"""

from collections.abc import Sequence
from time import monotonic
from typing import Any

from sqlalchemy import ColumnElement, MetaData, Table, event, inspect, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.core.config import Settings
from app.core.timing import count_statements


def create_engine(settings: Settings) -> AsyncEngine:
    if settings.is_sqlite:
        engine = create_async_engine(settings.database_url, echo=settings.echo_sql)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
    else:
        engine = create_async_engine(
            settings.database_url,
            echo=settings.echo_sql,
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_timeout=settings.pool_timeout,
            pool_recycle=settings.pool_recycle,
            connect_args={"server_settings": _server_settings(settings)},
        )
        _ping_when_idle(engine, settings.pool_ping_after)
    count_statements(engine, slow=settings.slow_statement)
    return engine


def _server_settings(settings: Settings) -> dict[str, str]:
    # PostgreSQL writes the JSON of reads (core/postgres.py) in the session's time zone:
    # UTC, as the Core path writes datetimes.
    server = {"timezone": "UTC"}
    if settings.statement_timeout:
        server["statement_timeout"] = f"{settings.statement_timeout * 1000:.0f}"
    return server


def _ping_when_idle(engine: AsyncEngine, seconds: float) -> None:
    """Ping a connection at checkout only when it has been idle for `seconds`.

    `pool_pre_ping` pings at every checkout, which on asyncpg costs three round trips
    (BEGIN, the ping, ROLLBACK): as much as a small read. A connection busy a moment ago is
    alive; one that died anyway is retried once by `core.reads.Reader`.
    """
    pool = engine.sync_engine.pool

    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = monotonic()

    def lent(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or monotonic() - idle_since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards the connection and lends another.
            raise DisconnectionError(str(error)) from error

    event.listen(pool, "checkin", returned)
    event.listen(pool, "checkout", lent)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless each connection asks for them.
    cursor.execute("PRAGMA foreign_keys=ON")
    # A write-ahead log lets reads run beside a write, and syncs far less often.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def create_tables(connection: AsyncConnection, metadata: Sequence[MetaData]) -> None:
    """Create the tables that don't exist yet."""
    for each in metadata:
        if connection.dialect.name == "sqlite":
            _never_reuse_keys(each)
        await connection.run_sync(each.create_all)


def _never_reuse_keys(metadata: MetaData) -> None:
    """SQLite numbers a new row after the largest key, the key of a row just deleted: with
    AUTOINCREMENT it never reuses one, so a deleted row's URL stays a 404 (SQLAlchemy adds
    the keyword to single INTEGER primary keys only)."""
    for table in metadata.tables.values():
        table.dialect_kwargs["sqlite_autoincrement"] = True


async def drop_tables(connection: AsyncConnection, metadata: Sequence[MetaData]) -> None:
    """Drop the models' tables (the tests start each one from empty tables).

    Their foreign keys may form a cycle, which no order of the tables satisfies. On
    PostgreSQL each table goes with CASCADE, which drops the keys that refer to it
    (SQLAlchemy would first drop those made with use_alter, which it can't when they have
    no name). SQLite deletes a table's rows before dropping it, checking their keys: the
    tables go with the checks off (the driver runs DDL outside a transaction, where the
    pragma applies).
    """
    tables = _tables(metadata)
    if connection.dialect.name == "postgresql":
        preparer = connection.dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table) for table in tables)
        if names:
            await connection.execute(text(f"DROP TABLE IF EXISTS {names} CASCADE"))
        return
    await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        for table in tables:
            await connection.run_sync(table.drop, checkfirst=True)
    finally:
        await connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def empty_tables(connection: AsyncConnection, metadata: Sequence[MetaData]) -> None:
    """Delete every row of the models' tables (faster than dropping and creating them).

    On SQLite the foreign keys are checked at commit, when no row is left: any order of
    the tables works, even when their keys form a cycle.
    """
    tables = _tables(metadata)
    if connection.dialect.name == "postgresql":
        preparer = connection.dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table) for table in tables)
        if names:
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    await connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    for table in tables:
        await connection.execute(table.delete())


def _tables(metadata: Sequence[MetaData]) -> list[Table]:
    """The models' tables, in no particular order: SQLAlchemy's `sorted_tables` warns when
    their foreign keys form a cycle, and the statements above don't need one."""
    return [table for each in metadata for table in each.tables.values()]


def table_of(model: type[Any]) -> Table:
    """The table a mapped class maps, whether it is declarative or imperatively mapped."""
    table = inspect(model).local_table
    assert isinstance(table, Table), f"{model.__name__} is not mapped to a table"
    return table


def sql_attribute(model: type[Any], name: str) -> ColumnElement[Any]:
    """A hybrid property's or column_property's SQL expression, labelled with its name.

    A hybrid's class-level expression is often untyped or overloaded, which mypy can't
    follow: reads reach it through this one typed accessor.
    """
    expression: ColumnElement[Any] = getattr(model, name)
    return expression.label(name)


def metadata_of(*models: type[Any]) -> tuple[MetaData, ...]:
    """The MetaData objects holding the models' tables, each once, in order."""
    found: dict[int, MetaData] = {}
    for model in models:
        metadata = table_of(model).metadata
        found.setdefault(id(metadata), metadata)
    return tuple(found.values())
