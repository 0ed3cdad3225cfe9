"""End to end: `fe-gen new` on models files, then the generated project's own checks.

Each case renders a project with the real command line, then runs what the generated
README tells its owner to run: the test suite on SQLite with the cache in process alone (the
embedded default) and on PostgreSQL with the cache shared through the Redis on this machine
too, ruff, and mypy.
The generated project's dependencies come with fe-gen's test extra: nothing is installed.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.e2e.cases import CASES, render
from tests.e2e.cases import environment as environment_of

# The cases whose suites also run on PostgreSQL (the others add little there).
ON_POSTGRESQL = [
    *("bookstore", "travel", "relations", "conventions", "columns", "package", "hierarchy"),
    *("recipes", "ledgers", "exact", "ring_columns", "ring_schema", "ring_models", "depot"),
    "studio",
]


def run(
    command: list[str], cwd: Path, timeout: float = 900, **environment: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=environment_of(cwd.name, **environment),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Projects rendered on demand, once per case."""
    root = tmp_path_factory.mktemp("projects")
    projects: dict[str, Path] = {}

    class Projects(dict[str, Path]):
        def __missing__(self, case: str) -> Path:
            dest = root / case
            render(case, dest)
            self[case] = dest
            return dest

    yield Projects(projects)


def suite(project: Path, **environment: str) -> str:
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"],
        project,
        **environment,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("case", CASES)
def test_generated_suite_passes_on_sqlite(case: str, generated: dict[str, Path]) -> None:
    output = suite(generated[case])
    _, needs_postgresql = CASES[case]
    if needs_postgresql:
        assert "skipped" in output and "passed" not in output  # and says why, in its reason
    else:
        assert "passed" in output and "failed" not in output
        # Without TEST_REDIS_URL, only the tests of the Redis layer skip.
        skips = [line for line in output.splitlines() if line.startswith("SKIPPED")]
        assert all("TEST_REDIS_URL" in line for line in skips), skips


@pytest.mark.parametrize("case", ON_POSTGRESQL)
def test_generated_suite_passes_on_postgresql(
    case: str, generated: dict[str, Path], postgres_database: str, redis_url: str
) -> None:
    output = suite(generated[case], DATABASE_URL=postgres_database, TEST_REDIS_URL=redis_url)
    assert "passed" in output and "skipped" not in output and "failed" not in output


@pytest.mark.parametrize("case", CASES)
def test_generated_code_is_lint_format_and_type_clean(
    case: str, generated: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = generated[case]
    ruff = [sys.executable, "-m", "ruff"]
    for command in ([*ruff, "check", "."], [*ruff, "format", "--check", "."]):
        result = run(command, project)
        assert result.returncode == 0, result.stdout + result.stderr
    cache = tmp_path_factory.getbasetemp() / "mypy-cache"
    result = run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], project)
    assert result.returncode == 0, result.stdout + result.stderr


DOCUMENTATION_ROUTES = """
import asyncio
import httpx
from app.main import create_app

async def main() -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://test"
    ) as client:
        for path in ("/api-docs", "/api-docs/oauth2-redirect", "/api-redoc", "/openapi.json"):
            response = await client.get(path)
            print(path, response.status_code, response.headers["content-type"].split(";")[0])
        for path in ("/docs", "/redoc"):
            response = await client.get(path)
            print(path, response.status_code, sorted(response.json()))

asyncio.run(main())
"""


def test_awkward_docs_move_off_the_routes_of_models_called_docs_and_redoc(
    generated: dict[str, Path],
) -> None:
    result = run([sys.executable, "-c", DOCUMENTATION_ROUTES], generated["awkward"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "/api-docs 200 text/html",
        "/api-docs/oauth2-redirect 200 text/html",
        "/api-redoc 200 text/html",
        "/openapi.json 200 application/json",
        "/docs 200 ['items', 'next_cursor', 'total']",
        "/redoc 200 ['items', 'next_cursor', 'total']",
    ]


STATEMENTS_FOR_5_AND_500_ROWS = """
import asyncio, os, sys
from tests import factories
from tests.conftest import serve
from tests.utils import statements

async def main(model: str, path: str, include: str) -> None:
    payload = getattr(factories, f"{model}_payload")
    counts = []
    async with serve(os.environ["URL"]) as client:
        made = 0
        for rows in (5, 500):
            batch = [await payload(client) for _ in range(rows - made)]
            response = await client.post(f"{path}/bulk", json=batch)
            assert response.status_code == 201, response.text
            made = rows
            page = await client.get(path, params={"include": include, "limit": 500})
            assert len(page.json()["items"]) == rows, page.text
            counts.append(statements(page))
    print(*counts)

asyncio.run(main(*sys.argv[1:]))
"""

LISTS = {
    "bookstore": ("book", "/books", "author,tags,reviews"),
    "travel": ("booking", "/bookings", "traveller,stops"),
}


def statement_counts(project: Path, case: str, url: str) -> list[int]:
    result = run(
        [sys.executable, "-c", STATEMENTS_FOR_5_AND_500_ROWS, *LISTS[case]], project, URL=url
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [int(count) for count in result.stdout.split()]


@pytest.mark.parametrize("case", LISTS)
def test_list_with_every_include_runs_as_many_statements_for_500_rows_as_for_5(
    case: str, generated: dict[str, Path], tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'counts.db'}"
    includes = len(LISTS[case][2].split(","))
    assert statement_counts(generated[case], case, url) == [1 + includes, 1 + includes]


@pytest.mark.parametrize("case", LISTS)
def test_statement_count_is_constant_on_postgresql(
    case: str, generated: dict[str, Path], postgres_database: str
) -> None:
    """PostgreSQL builds the page and its includes in one statement."""
    assert statement_counts(generated[case], case, postgres_database) == [1, 1]


def test_the_generated_suite_leaves_the_database_it_is_given_alone(
    generated: dict[str, Path], postgres_database: str
) -> None:
    """DATABASE_URL names the data the app serves: the tests make a database of their own."""
    kept = "INSERT INTO authors (id, name) VALUES (7, 'kept')"
    asyncio.run(_execute(postgres_database, "CREATE TABLE authors (id int, name text)", kept))
    suite(generated["bookstore"], DATABASE_URL=postgres_database)
    rows = asyncio.run(_fetch(postgres_database, "SELECT id, name FROM authors"))
    assert rows == [(7, "kept")]
    leftovers = asyncio.run(
        _fetch(postgres_database, "SELECT datname FROM pg_database WHERE datname LIKE '%_test_%'")
    )
    name = postgres_database.rpartition("/")[2]
    assert [row for row in leftovers if row[0].startswith(name)] == []


def test_a_misconfigured_app_stops_with_one_line(generated: dict[str, Path]) -> None:
    project = generated["bookstore"]
    start = [sys.executable, "-c", "import app.main"]
    result = run(start, project, ENVIRONMENT="production")
    assert (result.returncode, result.stderr) == (
        1,
        "invalid settings: CURSOR_SECRET must be set in production\n",
    )
    result = run(start, project, DATABASE_URL="mysql://localhost/shop")
    assert (result.returncode, result.stderr) == (
        1,
        "invalid settings: DATABASE_URL: must be a postgresql:// or sqlite:// URL, not mysql\n",
    )


def test_an_app_without_its_tables_says_so_at_start_up(
    generated: dict[str, Path], postgres_database: str
) -> None:
    """Without its migrations the app must not start and serve 500s."""
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", "0"]
    result = run(
        command,
        generated["bookstore"],
        timeout=60,
        ENVIRONMENT="production",
        CURSOR_SECRET="secret",
        DATABASE_URL=postgres_database,
        MIGRATE_ON_STARTUP="false",
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert (
        "ERROR:    the database has no table book_tags, authors, books, tags, reviews: run "
        "`migrate` (or write the migration that creates it: alembic revision --autogenerate)"
    ) in result.stderr.splitlines()


async def _execute(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _fetch(url: str, query: str) -> list[tuple[object, ...]]:
    connection = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()


DEAD_CONNECTIONS = """
import asyncio, os, sys
import asyncpg
from tests.conftest import serve

async def main(url: str, database: str, ping_after: str) -> None:
    # Uncached: the second read must reach the database.
    async with serve(url, pool_ping_after=float(ping_after), cache=False) as client:
        assert (await client.get("/books")).status_code == 200
        admin = await asyncpg.connect(url)
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()", database
        )
        await admin.close()
        await asyncio.sleep(0.2)
        response = await client.get("/books")
        print(response.status_code, response.headers["server-timing"].split(";desc=")[1])

asyncio.run(main(*sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("ping_after", "statements"), [("60", '"2 queries"'), ("0.1", '"1 query"')]
)
def test_a_read_on_a_dead_connection_is_served(
    generated: dict[str, Path], postgres_database: str, ping_after: str, statements: str
) -> None:
    """A connection killed since it was pooled: pinged when idle long enough (0.1 s), else
    its read fails once and runs again on a new connection (60 s)."""
    database = postgres_database.rpartition("/")[2]
    result = run(
        [sys.executable, "-c", DEAD_CONNECTIONS, postgres_database, database, ping_after],
        generated["bookstore"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"200 {statements}"
