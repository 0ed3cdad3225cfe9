"""Fuzz a generated project's API with schemathesis: render, serve, run, read the results.

One run: the project (rendered by `fe-gen new`) is served by uvicorn in a subprocess on a
free port, against a scratch database (a SQLite file, or a PostgreSQL database the caller
creates), with CREATE_TABLES=true. The schemathesis command line then runs its phases
(examples, coverage, fuzzing, stateful) against `/openapi.json` with its response checks
and ours (`tests/fuzz/hooks.py`), writing an NDJSON event log that `results.read_events`
turns into an `Outcome`. The server logs the exception behind each of its 5xx answers,
with the test case that caused it (`server/fe_gen_fuzz_app.py`).

A problem of the harness itself (the server does not start, schemathesis cannot load the
schema or crashes) raises `HarnessError`, so that it is never mistaken for a finding.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.e2e.cases import CASES, environment, render
from tests.fuzz.links import linked_schema
from tests.fuzz.results import Outcome, read_events, server_exceptions

HOOKS = Path(__file__).with_name("hooks.py")
# The project's app, wrapped to log which request each unhandled exception broke.
SERVED = ("--app-dir", str(Path(__file__).with_name("server")), "fe_gen_fuzz_app:app")
# schemathesis' response checks, the two that catch a write acknowledged and not done in the
# stateful phase, and ours (hooks.py).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
    "ensure_resource_availability",
    "use_after_free",
    "problem_detail",
    "write_is_persisted",
)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
CONFIG = "schemathesis.toml"
EVENTS = "events-{index}.ndjson"
DATABASES = ("sqlite", "postgresql")
# The projects worth fuzzing and the databases each is served on: the bookstore and the
# fixtures with the richest columns, keys and mappings (columns needs PostgreSQL).
FUZZ_CASES: dict[str, tuple[str, ...]] = {
    case: ("postgresql",) if CASES[case][1] else DATABASES
    for case in (
        *("bookstore", "travel", "columns", "relations", "ledgers", "recipes", "hierarchy"),
        "inheritance",
    )
}


class HarnessError(RuntimeError):
    """The harness could not fuzz (not a finding about the generated API)."""


@dataclass(frozen=True)
class Budget:
    """How hard to fuzz, and how many requests the run must send.

    The coverage phase sends every edge case the schema defines whatever the budget; the
    examples per operation bound the fuzzing phase, the scenarios (of up to `max_steps`
    chained calls) the stateful one.
    """

    name: str
    max_examples: int
    scenarios: int
    min_requests: int
    timeout: float  # seconds for one schemathesis run
    max_steps: int = 10
    phases: tuple[str, ...] = PHASES
    # Runs until `min_requests` are sent; after the first, only fuzzing and stateful (the
    # coverage and examples phases would repeat themselves), each with the next seed.
    rounds: int = 1

    def phases_of(self, index: int) -> tuple[str, ...]:
        later = tuple(phase for phase in self.phases if phase in ("fuzzing", "stateful"))
        return self.phases if index == 0 or not later else later

    def config(self) -> str:
        """schemathesis.toml for this budget."""
        return (
            f"[generation]\nmax-examples = {self.max_examples}\n\n"
            f"[phases.stateful]\nmax-steps = {self.max_steps}\n\n"
            f"[phases.stateful.generation]\nmax-examples = {self.scenarios}\n"
        )


# CI: a few examples per operation and a few scenarios.
BOUNDED = Budget("bounded", max_examples=3, scenarios=30, min_requests=0, timeout=600)
# The documented full run: at least 10,000 requests per project and database.
FULL = Budget("full", max_examples=150, scenarios=1000, min_requests=10_000, timeout=3600, rounds=4)


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'fuzz.db'}"


def fuzz(
    case: str,
    database: str,
    database_url: str,
    *,
    project: Path,
    workdir: Path,
    budget: Budget = BOUNDED,
    seed: int = 1,
    links: bool = False,
) -> Outcome:
    """Serve `project` on `database_url` and fuzz it; `workdir` receives the logs and reports.

    `links` fuzzes a copy of the schema with the OpenAPI links of `links.py` declared.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    server_log = workdir / "server.log"
    started = time.monotonic()
    with serve(case, project, database_url, server_log) as base_url:
        location = [f"{base_url}/openapi.json"]
        if links:
            openapi = httpx.get(location[0], timeout=30).json()
            linked = workdir / "openapi.json"
            linked.write_text(json.dumps(linked_schema(case, project, openapi), indent=1))
            location = [str(linked), "--url", base_url]
        logs: list[Path] = []
        for index in range(budget.rounds):
            logs.append(run_schemathesis(location, workdir, budget=budget, seed=seed, index=index))
            if _requests(logs) >= budget.min_requests:
                break
    exceptions = server_exceptions(server_log.read_text(errors="replace"))
    outcome = read_events(logs, base_url, exceptions, case=case, database=database)
    return outcome.finished(seconds=time.monotonic() - started, min_requests=budget.min_requests)


def _requests(logs: list[Path]) -> int:
    return read_events(logs, "", {}, case="", database="").requests


def render_project(case: str, root: Path) -> Path:
    """`fe-gen new` the case into `root/case` (once: an existing project is reused)."""
    dest = root / case
    if not (dest / "pyproject.toml").exists():
        root.mkdir(parents=True, exist_ok=True)
        render(case, dest)
    return dest


@contextmanager
def serve(case: str, project: Path, database_url: str, log: Path) -> Iterator[str]:
    """Serve the project's `app.main:app` with uvicorn until the block ends; yield its URL.

    uvicorn binds a free port itself (`--port 0`) and logs it, so no other process can take
    the port between choosing it and serving on it. (Handing it a bound socket with `--fd`
    would do too, but uvicorn then takes it for a Unix socket and leaves Nagle's algorithm
    on: every request waits 40 ms for a delayed ACK.)
    """
    offset = log.stat().st_size if log.exists() else 0
    with log.open("ab") as output:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", *SERVED, "--host", "127.0.0.1", "--port", "0"),
                *("--no-access-log", "--timeout-graceful-shutdown", "5"),
            ],
            cwd=project,
            env=environment(case, DATABASE_URL=database_url, CREATE_TABLES="true"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = _wait_until_served(server, log, offset)
        if base_url is None:
            raise HarnessError(f"{case}: the server did not start; its log:\n{_tail(log)}")
        yield base_url
        if server.poll() is not None:
            raise HarnessError(f"{case}: the server exited during the run; its log:\n{_tail(log)}")
    finally:
        _stop(server)


_RUNNING = re.compile(r"Uvicorn running on (http://[\d.]+:\d+)")


def _wait_until_served(
    server: subprocess.Popen[bytes], log: Path, offset: int, timeout: float = 90
) -> str | None:
    """The server's URL once `/openapi.json` answers there; None if the server exited first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return None
        with log.open("rb") as lines:
            lines.seek(offset)
            running = _RUNNING.search(lines.read().decode(errors="replace"))
        try:
            if running and httpx.get(f"{running[1]}/openapi.json", timeout=5).status_code == 200:
                return running[1]
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise HarnessError(f"the server did not serve /openapi.json within {timeout:.0f} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def schemathesis_command(
    location: list[str], workdir: Path, *, budget: Budget, seed: int, index: int = 0
) -> list[str]:
    phases = ",".join(budget.phases_of(index))
    return [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(workdir / CONFIG)),
        *("run", *location, "--checks", ",".join(CHECKS), "--phases", phases),
        *("--seed", str(seed + index)),
        "--continue-on-failure",
        # One worker: the server has the other core of the two this machine shares.
        *("--workers", "1", "--request-timeout", "30", "--generation-database", "none"),
        *("--report", "ndjson", "--report-ndjson-path", str(workdir / EVENTS.format(index=index))),
        "--no-color",
        # Values of parameters named like `author_id` would print as [Filtered].
        *("--output-sanitize", "false"),
    ]


def run_schemathesis(
    location: list[str], workdir: Path, *, budget: Budget, seed: int, index: int = 0
) -> Path:
    """Run the schemathesis command line on a schema; return its NDJSON event log."""
    events = workdir / EVENTS.format(index=index)
    events.unlink(missing_ok=True)
    (workdir / CONFIG).write_text(budget.config())
    command = schemathesis_command(location, workdir, budget=budget, seed=seed, index=index)
    output = workdir / f"schemathesis-{index}.txt"
    with output.open("wb") as console:
        try:
            result = subprocess.run(
                command,
                cwd=workdir,  # where it keeps its own caches
                env=os.environ | {"SCHEMATHESIS_HOOKS": str(HOOKS)},
                stdout=console,
                stderr=subprocess.STDOUT,
                timeout=budget.timeout,
            )
        except subprocess.TimeoutExpired:
            raise HarnessError(
                f"schemathesis ran over {budget.timeout:.0f} s; its output: {output}"
            ) from None
    # 0: no failures, 1: failures found; anything else is schemathesis' own trouble.
    if result.returncode not in (0, 1) or not events.exists():
        raise HarnessError(
            f"schemathesis exited {result.returncode}:\n{_tail(output)}\ncommand: {command}"
        )
    return events
