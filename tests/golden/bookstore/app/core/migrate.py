"""`migrate`: bring the database to the newest revision, once, however many replicas start.

On PostgreSQL the upgrade runs under a session-level advisory lock, on a connection of its
own: the first process to take the lock migrates; the others retry (exponential backoff with
jitter, up to MIGRATE_TIMEOUT), then find the database up to date. A session-level lock
outlives the migrations' commits; it is released at the end, and the connection closed.
SQLite has no such lock: migrate it from one process.
"""

import asyncio
import hashlib
import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection
from tenacity import AsyncRetrying, RetryCallState, RetryError, retry_if_result, stop_before_delay
from tenacity.wait import wait_random_exponential

from app.core.config import Settings, get_settings
from app.core.db import create_engine

LOCK_KEY = int.from_bytes(hashlib.sha256(b"shop migrations").digest()[:8], signed=True)
"""The advisory lock's key, the same in every process (Python's `hash()` is salted)."""

log = logging.getLogger(__name__)


class MigrationError(Exception):
    """Why the database could not be migrated, in one line."""


def main() -> None:
    """The `migrate` command."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = get_settings()
    try:
        asyncio.run(migrate(settings))
    except MigrationError as error:
        raise SystemExit(f"migrate: {error}") from None


async def migrate(settings: Settings) -> None:
    """Upgrade the database to the newest revision, holding the lock on PostgreSQL."""
    # A migration may rightly run longer than the app's statements may.
    engine = create_engine(settings.model_copy(update={"statement_timeout": 0}))
    try:
        async with engine.connect() as connection:
            if connection.dialect.name != "postgresql":
                await connection.run_sync(_upgrade)
                return
            await _lock(connection, settings.migrate_timeout)
            try:
                await connection.run_sync(_upgrade)
            finally:
                await connection.rollback()
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                await connection.commit()
    finally:
        # Closes the connection: a session-level lock would survive its return to a pool.
        await engine.dispose()


async def _lock(connection: AsyncConnection, timeout: float) -> None:
    retrying = AsyncRetrying(
        stop=stop_before_delay(timeout),
        wait=wait_random_exponential(multiplier=0.05, max=2),
        retry=retry_if_result(lambda locked: not locked),
        before_sleep=_log_wait,
    )
    try:
        await retrying(_try_lock, connection)
    except RetryError:
        raise MigrationError(
            f"another process held the migration lock for {timeout:g} s (MIGRATE_TIMEOUT)"
        ) from None
    log.info("took the migration lock")


async def _try_lock(connection: AsyncConnection) -> bool:
    locked = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
    await connection.commit()
    return bool(locked)


def _log_wait(state: RetryCallState) -> None:
    wait = state.next_action.sleep if state.next_action else 0.0
    log.info(
        "another process holds the migration lock (attempt %d): waiting %.2f s",
        state.attempt_number,
        wait,
    )


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration, to run the migrations on `connection`."""
    config = Config()
    config.set_main_option("script_location", "app:migrations")
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    config = alembic_config(connection)
    head = ScriptDirectory.from_config(config).get_current_head()
    current = MigrationContext.configure(connection).get_current_revision()
    connection.commit()
    if current == head:
        log.info("the database is at revision %s, the newest: nothing to do", head)
        return
    log.info("migrating the database from revision %s to %s", current or "(none)", head)
    command.upgrade(config, "head")
    connection.commit()
    log.info("migrated the database to revision %s", head)
