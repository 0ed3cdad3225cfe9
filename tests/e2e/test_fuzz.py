"""Property-based fuzzing of generated APIs with schemathesis, bounded to fit CI.

Each case's project is served by uvicorn on a scratch database and fuzzed through its
OpenAPI schema (tests/fuzz/harness.py): no 5xx, every response as its schema declares it,
every 4xx a JSON `detail` naming the problem, and, in the stateful phase, every write that
answered 2xx visible to the next read. A failure prints each group of findings with a
curl command that reproduces it. The full run, at least 10,000 requests per project and
database over more projects, is `python -m tests.fuzz --full`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.harness import BOUNDED, FUZZ_CASES, fuzz, render_project, sqlite_url
from tests.fuzz.report import details

# The bookstore, and the richest fixtures: UUID and composite keys, enums, JSON, Numeric,
# Interval and bytes (travel); string and composite keys, association objects, several
# foreign keys to one table (relations).
CI_CASES = ("bookstore", "travel", "relations")


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzzed")


def check(case: str, database: str, url: str, projects: Path, workdir: Path) -> None:
    project = render_project(case, projects)
    outcome = fuzz(case, database, url, project=project, workdir=workdir, budget=BOUNDED)
    assert outcome.ok, details(outcome)


@pytest.mark.parametrize("case", [case for case in CI_CASES if "sqlite" in FUZZ_CASES[case]])
def test_fuzzing_finds_nothing_on_sqlite(case: str, projects: Path, tmp_path: Path) -> None:
    check(case, "sqlite", sqlite_url(tmp_path), projects, tmp_path)


@pytest.mark.parametrize("case", CI_CASES)
def test_fuzzing_finds_nothing_on_postgresql(
    case: str, projects: Path, tmp_path: Path, postgres_database: str
) -> None:
    check(case, "postgresql", postgres_database, projects, tmp_path)
