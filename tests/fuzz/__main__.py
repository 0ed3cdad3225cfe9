"""`python -m tests.fuzz [--full]`: fuzz generated projects with schemathesis, print a table.

Run from the checkout's root. Without options: the bounded run CI does, on every project and
database of `FUZZ_CASES`; `--full` sends at least 10,000 requests per project and database.
PostgreSQL databases are made next to DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test) and dropped after. Exit status 1 when anything
was found, 2 when the harness itself failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from tests.databases import create_database, drop_database
from tests.fuzz.harness import (
    BOUNDED,
    DATABASES,
    EVENTS,
    FULL,
    FUZZ_CASES,
    HarnessError,
    fuzz,
    render_project,
    sqlite_url,
)
from tests.fuzz.report import across_projects, details, table
from tests.fuzz.results import Outcome


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    budget = FULL if options.full else BOUNDED
    if options.max_examples:
        budget = replace(budget, max_examples=options.max_examples)
    if options.scenarios:
        budget = replace(budget, scenarios=options.scenarios)
    if options.phases:
        budget = replace(budget, phases=tuple(options.phases.split(",")))
    root = Path(options.keep or tempfile.mkdtemp(prefix="fe-gen-fuzz-"))
    outcomes: list[Outcome] = []
    harness_failed = False
    for case in options.case or list(FUZZ_CASES):
        project = render_project(case, root / "projects")
        for database in FUZZ_CASES[case]:
            if options.database and database not in options.database:
                continue
            workdir = root / "runs" / f"{case}-{database}"
            print(f"fuzzing {case} on {database} ({budget.name}) ...", file=sys.stderr, flush=True)
            try:
                with _database(database, workdir) as url:
                    outcome = fuzz(
                        case,
                        database,
                        url,
                        project=project,
                        workdir=workdir,
                        budget=budget,
                        seed=options.seed,
                        links=options.links,
                    )
            except (HarnessError, OSError) as error:
                print(f"HARNESS FAILURE {case} on {database}: {error}", flush=True)
                harness_failed = True
                continue
            if not options.keep:
                for events in workdir.glob(EVENTS.format(index="*")):
                    events.unlink()
            outcomes.append(outcome)
            print(details(outcome), "\n", flush=True)
    print(table(outcomes))
    if any(not outcome.ok for outcome in outcomes):
        print("\nFailures across projects:\n" + across_projects(outcomes))
    print(f"\nlogs and reports: {root}")
    if harness_failed:
        return 2
    return 0 if all(outcome.ok for outcome in outcomes) else 1


@contextmanager
def _database(database: str, workdir: Path) -> Iterator[str]:
    if database == "sqlite":
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "fuzz.db").unlink(missing_ok=True)
        yield sqlite_url(workdir)
        return
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--full", action="store_true", help="at least 10,000 requests per run")
    parser.add_argument("--case", action="append", choices=list(FUZZ_CASES), help="repeatable")
    parser.add_argument("--database", action="append", choices=DATABASES, help="repeatable")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-examples", type=int, help="override the budget's examples per operation"
    )
    parser.add_argument("--scenarios", type=int, help="override the budget's stateful scenarios")
    parser.add_argument("--phases", help="comma-separated schemathesis phases (default: all four)")
    parser.add_argument(
        "--links", action="store_true", help="declare the OpenAPI links of tests/fuzz/links.py"
    )
    parser.add_argument("--keep", metavar="DIR", help="render and log into DIR, and keep it")
    return parser


if __name__ == "__main__":
    sys.exit(main())
