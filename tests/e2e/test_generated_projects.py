"""End to end: `fe-gen new` on models files, then the generated project's own checks.

Each case renders a project with the real command line, then runs what the generated
README tells its owner to run: the test suite on SQLite and on PostgreSQL, ruff, and mypy.
The generated project's dependencies come with fe-gen's test extra: nothing is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cases import CASES, ENVIRONMENT, render

# The cases whose suites also run on PostgreSQL (the others add little there).
ON_POSTGRESQL = [
    *("bookstore", "travel", "relations", "conventions", "columns", "package", "hierarchy"),
    *("recipes", "ledgers"),
]


def run(command: list[str], cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= ENVIRONMENT.get(cwd.name, {})
    return subprocess.run(
        command, cwd=cwd, env=env | environment, capture_output=True, text=True, timeout=900
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
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, **environment
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
        assert "passed" in output and "skipped" not in output and "failed" not in output


@pytest.mark.parametrize("case", ON_POSTGRESQL)
def test_generated_suite_passes_on_postgresql(
    case: str, generated: dict[str, Path], postgres_database: str
) -> None:
    output = suite(generated[case], DATABASE_URL=postgres_database)
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
    includes = len(LISTS[case][2].split(","))
    assert statement_counts(generated[case], case, postgres_database) == [
        1 + includes,
        1 + includes,
    ]
