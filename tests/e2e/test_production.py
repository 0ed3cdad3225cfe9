"""End to end: a generated project run as in production, against the real PostgreSQL.

Several processes at once (replicas starting together), a database that comes and goes:
what the generated suite, inside one process, can't show.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.e2e.cases import environment, render

MIGRATE = [sys.executable, "-c", "from app.core.migrate import main; main()"]
MIGRATED = "migrating the database from revision (none) to 0001"
UP_TO_DATE = "the database is at revision 0001, the newest: nothing to do"
WAITING = "another process holds the migration lock"


@pytest.fixture(scope="module")
def bookstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = tmp_path_factory.mktemp("projects") / "bookstore"
    render("bookstore", project)
    yield project


def start(command: list[str], project: Path, **settings: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        cwd=project,
        env=environment("bookstore", **settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lock_key(project: Path) -> int:
    script = "from app.core.migrate import LOCK_KEY; print(LOCK_KEY)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project,
        env=environment("bookstore"),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout)


async def _replicas_behind_a_held_lock(project: Path, url: str, replicas: int) -> list[str]:
    """Start `migrate` processes while the lock is held; let go once every one has found it
    taken; their logs."""
    key = lock_key(project)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", key)
        processes = [start(MIGRATE, project, DATABASE_URL=url) for _ in range(replicas)]
        for _ in range(600):  # each connects, then tries the lock
            waiting = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            if waiting >= replicas:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1)
        await connection.execute("SELECT pg_advisory_unlock($1)", key)
    finally:
        await connection.close()
    logs = []
    for process in processes:
        _, stderr = await asyncio.to_thread(process.communicate, timeout=120)
        assert process.returncode == 0, stderr
        logs.append(stderr)
    return logs


def test_five_replicas_starting_together_migrate_once(
    bookstore: Path, postgres_database: str
) -> None:
    """While another process holds the lock, five `migrate` processes wait; then exactly
    one migrates and the others find nothing to do."""
    logs = asyncio.run(_replicas_behind_a_held_lock(bookstore, postgres_database, 5))
    assert all(WAITING in log for log in logs), "\n".join(logs)
    assert sum(MIGRATED in log for log in logs) == 1, "\n".join(logs)
    assert sum(UP_TO_DATE in log for log in logs) == 4, "\n".join(logs)
    versions = asyncio.run(_fetch(postgres_database, "SELECT version_num FROM alembic_version"))
    assert versions == [("0001",)]


def test_migrate_gives_up_after_its_timeout(bookstore: Path, postgres_database: str) -> None:
    async def held() -> subprocess.CompletedProcess[str]:
        connection = await asyncpg.connect(postgres_database)
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", lock_key(bookstore))
            process = start(MIGRATE, bookstore, DATABASE_URL=postgres_database, MIGRATE_TIMEOUT="1")
            _, stderr = await asyncio.to_thread(process.communicate, timeout=60)
            return subprocess.CompletedProcess(process.args, process.returncode, "", stderr)
        finally:
            await connection.close()

    result = asyncio.run(held())
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "migrate: another process held the migration lock for 1 s (MIGRATE_TIMEOUT)"
    )
    assert asyncio.run(_fetch(postgres_database, "SELECT to_regclass('alembic_version')")) == [
        (None,)
    ]


PRODUCTION_START = """
import asyncio
import httpx
from app.main import create_app

async def main() -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://test"
    ) as client:
        print((await client.get("/books")).status_code)

asyncio.run(main())
"""


def test_a_production_app_migrates_an_empty_database_at_start_up(
    bookstore: Path, postgres_database: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_START],
        cwd=bookstore,
        env=environment(
            "bookstore",
            ENVIRONMENT="production",
            CURSOR_SECRET="secret",
            DATABASE_URL=postgres_database,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "200\n"


async def _fetch(url: str, query: str) -> list[tuple[object, ...]]:
    connection = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()
