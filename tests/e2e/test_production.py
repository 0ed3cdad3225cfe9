"""End to end: a generated project run as in production, against the real PostgreSQL.

Several processes at once (replicas starting together), a database that comes and goes:
what the generated suite, inside one process, can't show.
"""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.cases import FIXTURES, environment, render

FE_GEN_NEW = [sys.executable, "-m", "fe_gen.generator", "new"]
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


def test_migrate_names_why_the_models_have_no_statements_for_the_database(
    tmp_path: Path, postgres_database: str
) -> None:
    """Models whose own type compiles on SQLite alone: fe-gen notes that PostgreSQL can't
    create them, and `migrate` there stops with that reason instead of a KeyError."""
    project = tmp_path / "sqlite_ddl"
    generated = subprocess.run(
        [*FE_GEN_NEW, str(project), "--models", str(FIXTURES / "sqlite_ddl.py")],
        env=environment(""),
        capture_output=True,
        text=True,
        check=True,
    )
    why = "(in table 'places', column 'where'): the type Coordinates has no SQL for postgresql"
    assert f"PostgreSQL can't create the tables {why}" in " ".join(generated.stdout.split())
    result = subprocess.run(
        MIGRATE,
        cwd=project,
        env=environment("", DATABASE_URL=postgres_database),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"migrate: revision 0001 has no statements for postgresql: {why}; write them in CREATE "
        "and DROP of app/migrations/versions/0001_initial.py"
    )


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


def test_readiness_fails_in_time_while_the_database_is_down_and_recovers(
    bookstore: Path, postgres_database: str
) -> None:
    migrated = subprocess.run(
        MIGRATE,
        cwd=bookstore,
        env=environment("bookstore", DATABASE_URL=postgres_database),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("readiness_outage.py")), postgres_database],
        cwd=bookstore,
        env=environment("bookstore", PYTHONPATH=str(bookstore)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probes = [line.split(" ", 3) for line in result.stdout.splitlines()]
    assert probes[0] == ["up", "200", probes[0][2], '{"database": "ok"}']
    phase, status, seconds, checks = probes[1]
    assert (phase, status) == ("down", "503") and float(seconds) < 1.5, probes[1]
    assert checks != '{"database": "ok"}'
    assert [probe[:2] for probe in probes[2:]][-1] == ["back", "200"], probes


POOL_EXHAUSTED = """
import asyncio, sys, time
import httpx
from app.core.config import Settings
from app.main import create_app

async def main(url: str) -> None:
    settings = Settings(
        environment="test", database_url=url, pool_size=1, max_overflow=0, pool_timeout=0.5
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        async with app.state.engine.connect():  # the pool's one connection, held
            started = time.monotonic()
            response = await client.get("/books")
            waited = time.monotonic() - started
        print(response.status_code, response.headers["retry-after"], f"{waited:.2f}")
    await app.state.engine.dispose()

asyncio.run(main(sys.argv[1]))
"""


def test_a_request_that_gets_no_pooled_connection_in_time_is_answered_503(
    bookstore: Path, postgres_database: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", POOL_EXHAUSTED, postgres_database],
        cwd=bookstore,
        env=environment("bookstore"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    status, retry_after, waited = result.stdout.split()
    assert (status, retry_after) == ("503", "1")
    assert 0.5 <= float(waited) < 2


def test_metrics_add_up_the_workers_of_a_production_server(
    bookstore: Path, postgres_database: str, tmp_path: Path
) -> None:
    """Two granian workers, in production, migrating an empty database at start-up: the
    metrics count every request's statements whichever worker served it or answers."""
    server, url = serve(
        bookstore,
        workers=2,
        ENVIRONMENT="production",
        CURSOR_SECRET="secret",
        DATABASE_URL=postgres_database,
        SERVER_TIMING="true",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            _wait_ready(client, workers=2)
            ran = [_statements(client.get("/books")) for _ in range(20)]
            scrapes = [client.get("/metrics").text for _ in range(4)]
    finally:
        server.terminate()
        server.communicate(timeout=30)
    for text in scrapes:
        samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }
        route = (("method", "GET"), ("route", "/books"))
        assert samples[("db_statements_total", route)] == sum(ran)
        assert samples[("http_request_duration_seconds_count", (*route, ("status", "200")))] == 20


# The README's production server and flags, on a port of the test's.
SERVER = [
    sys.executable,
    "-m",
    "granian",
    "app.main:app",
    "--interface",
    "asgi",
    "--loop",
    "uvloop",
]


def serve(project: Path, workers: int, **settings: str) -> tuple[subprocess.Popen[str], str]:
    """The production server of `project` starting; its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [*SERVER, "--port", str(port), "--workers", str(workers)]
    return start(command, project, **settings), f"http://127.0.0.1:{port}"


def _wait_ready(client: httpx.Client, workers: int) -> None:
    """Until readiness answers 200 several times in a row (every worker started)."""
    ready = 0
    for _ in range(300):
        try:
            ready = ready + 1 if client.get("/health/ready").status_code == 200 else 0
        except httpx.TransportError:
            ready = 0
        if ready >= 4 * workers:
            return
        time.sleep(0.1)
    raise AssertionError("the server never became ready")


def _statements(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    found = re.search(r'desc="(\d+) quer', response.headers["server-timing"])
    assert found, response.headers
    return int(found.group(1))


async def _shutdown_mid_request(server: subprocess.Popen[str], url: str, database: str) -> int:
    """A request blocked on a locked table while the server gets SIGTERM; the lock is let go
    a second later. The request's status."""
    admin = await asyncpg.connect(database)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            transaction = admin.transaction()
            await transaction.start()
            await admin.execute("LOCK TABLE books IN ACCESS EXCLUSIVE MODE")
            request = asyncio.create_task(client.get("/books"))
            await asyncio.sleep(1)  # the request waits on the lock
            server.terminate()
            await asyncio.sleep(1)
            await transaction.rollback()
            response = await request
        return response.status_code
    finally:
        await admin.close()


def test_shutdown_lets_the_requests_in_flight_finish_then_closes_the_pool(
    bookstore: Path, postgres_database: str
) -> None:
    server, url = serve(
        bookstore,
        workers=1,
        ENVIRONMENT="production",
        CURSOR_SECRET="secret",
        DATABASE_URL=postgres_database,
    )
    with httpx.Client(base_url=url, timeout=10) as client:
        _wait_ready(client, workers=1)
    status = asyncio.run(_shutdown_mid_request(server, url, postgres_database))
    output, log = server.communicate(timeout=30)
    assert (status, server.returncode) == (200, 0), output + log
    assert "closed the connection pool" in log
    left = asyncio.run(
        _fetch(
            postgres_database,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()",
        )
    )
    assert left == [(0,)]
