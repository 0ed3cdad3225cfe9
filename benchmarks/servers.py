"""Which server a generated project runs in production: granian against uvicorn, measured.

Seeds PostgreSQL with the API benchmark's bookstore (benchmarks/api/seed.py), renders the
generated project from its models, then serves it with each server, one worker, the
production preset, and loads a get by id of one hot book from wrk at concurrency 32: with
the in-process cache, as production runs, and with CACHE=false (a statement per request).
10 s per measurement after a 2 s warm-up, the servers interleaved over 3 rounds, medians.
The generated README quotes the result.

    python -m benchmarks.servers      # about 3 minutes; needs wrk (apt-get install wrk)

A script, not a test: the numbers depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.api.load import Request, Result, run_wrk, wrk_available
from benchmarks.api.seed import Size, create_database, seed
from benchmarks.api.serve import render_generated

SERVERS = {
    "granian": ["-m", "granian", "app.main:app", "--interface", "asgi", "--loop", "uvloop"],
    "uvicorn": ["-m", "uvicorn", "app.main:app", "--loop", "uvloop", "--http", "httptools"],
}
QUIET = {"granian": ["--log-level", "warning"], "uvicorn": ["--log-level", "warning"]}
CONFIGS = {"cached": {}, "uncached": {"CACHE": "false"}}
HOT = Request("GET", "/books/7")


@contextmanager
def serving(server: str, project: Path, database_url: str, **env: str) -> Iterator[str]:
    """`server` serving the generated project with one worker until the block ends; its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, *SERVERS[server], *QUIET[server], "--port", str(port)]
    settings = {
        "ENVIRONMENT": "production",
        "CURSOR_SECRET": "benchmark-cursor-secret",
        "DATABASE_URL": database_url,
        # seed.py makes and fills the tables, without Alembic's history.
        "MIGRATE_ON_STARTUP": "false",
        **env,
    }
    process = subprocess.Popen(command, cwd=project, env={**os.environ, **settings})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/books/7").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server never answered")


def measure(project: Path, database_url: str, *, rounds: int, duration: float) -> None:
    results: dict[tuple[str, str], list[Result]] = {}
    work = Path(tempfile.mkdtemp(prefix="fe-gen-servers-"))
    print("load average before:", _load())
    for round_ in range(rounds):
        order = list(SERVERS) if round_ % 2 == 0 else list(reversed(SERVERS))
        for config, env in CONFIGS.items():
            for server in order:
                with serving(server, project, database_url, **env) as url:
                    run_wrk(url, HOT, duration=2, connections=32, salt=round_, work=work)
                    result = run_wrk(
                        url, HOT, duration=duration, connections=32, salt=round_, work=work
                    )
                results.setdefault((config, server), []).append(result)
                print(round_ + 1, config, server, f"{result.requests_per_second:,.0f} req/s")
    print("load average after:", _load())
    print("\n| server | get /books/7 | req/s | p50 ms | p99 ms | rounds (req/s) | errors |")
    print("|---|---|---:|---:|---:|---|---:|")
    for (config, server), runs in sorted(results.items()):
        rates = ", ".join(f"{run.requests_per_second:,.0f}" for run in runs)
        print(
            f"| {server} | {config} "
            f"| {statistics.median(run.requests_per_second for run in runs):,.0f} "
            f"| {statistics.median(run.p50_ms for run in runs):.2f} "
            f"| {statistics.median(run.p99_ms for run in runs):.2f} "
            f"| {rates} | {sum(run.errors for run in runs)} |"
        )


def _load() -> str:
    return " ".join(f"{each:.2f}" for each in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fe_gen_servers"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10)
    args = parser.parse_args()
    if not wrk_available():
        raise SystemExit("wrk is not installed: apt-get install wrk")
    asyncio.run(create_database(args.database_url))
    asyncio.run(seed(args.database_url, Size()))
    project = Path(tempfile.mkdtemp(prefix="fe-gen-servers-")) / "bookstore"
    render_generated(project)
    measure(project, args.database_url, rounds=args.rounds, duration=args.duration)


if __name__ == "__main__":
    main()
