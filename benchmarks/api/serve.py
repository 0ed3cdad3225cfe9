"""The variants, and their uvicorn servers: one process each, all with the same flags.

Each variant is an ASGI app that serves the three endpoints at its own URLs (the generated
project's list names its fields, includes and filter in the query string); the driver
starts one at a time, in counting mode for the content check and plainly to measure.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import redis

from benchmarks.api.variants.common import BOOK_FIELDS, LIST_LIMIT, LIST_PRICE_GTE

ROOT = Path(__file__).resolve().parents[2]
MODELS = Path(__file__).resolve().parent / "models.py"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
UVICORN_FLAGS = (
    "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--workers", "1",
    "--log-level", "warning",
)  # fmt: skip
_FILTER = f"price__gte={LIST_PRICE_GTE}&limit={LIST_LIMIT}"
_SHAPE = (
    f"fields={','.join(BOOK_FIELDS)},author.id,author.name,tags.id,tags.name&include=author,tags"
)


@dataclass(frozen=True)
class Variant:
    """One way of serving the endpoints."""

    name: str
    app: str
    """`module:attribute` of the ASGI app."""
    label: str
    """What the table says it is."""
    list_query: str = _FILTER
    get_query: str = ""
    extra: frozenset[str] = frozenset()
    """Fields beyond the shared shape that its items return (`tags_more`, `author.email`)."""
    missing: frozenset[str] = frozenset()
    """Fields of the shared shape its items lack (`tags`)."""
    app_dir: Path = ROOT
    env: dict[str, str] = field(default_factory=dict)
    counting_env: dict[str, str] = field(default_factory=lambda: {"BENCH_COUNT": "1"})


def _generated(name: str, label: str, generated_dir: Path, **env: str) -> Variant:
    return Variant(
        name,
        "app.main:app",
        label,
        list_query=f"{_FILTER}&{_SHAPE}",
        get_query=_SHAPE,
        # Whether a book has more tags than the include serves (100).
        extra=frozenset({"tags_more"}),
        app_dir=generated_dir,
        env={
            "ENVIRONMENT": "production",
            "CURSOR_SECRET": "benchmark-cursor-secret",
            # seed.py makes and fills the tables, without Alembic's history.
            "MIGRATE_ON_STARTUP": "false",
            "SERVER_TIMING": "false",
            **env,
        },
        counting_env={"SERVER_TIMING": "true"},
    )


def variants(generated_dir: Path) -> list[Variant]:
    """Every variant, the generated project (rendered into `generated_dir`) first."""
    module = "benchmarks.api.variants"
    return [
        _generated(
            "generated", "fe-gen's generated project, uncached", generated_dir, CACHE="false"
        ),
        _generated("generated+l1", "the same, its in-process cache on", generated_dir),
        _generated(
            "generated+redis",
            "the same, caching in process and in Redis",
            generated_dir,
            REDIS_URL=REDIS_URL,
        ),
        Variant(
            "fastcrud",
            f"{module}.fastcrud_author:app",
            "FastCRUD 0.23, author joined",
            missing=frozenset({"tags"}),
        ),
        Variant("fastcrud+tags", f"{module}.fastcrud_tags:app", "FastCRUD 0.23, author and tags"),
        Variant("orm", f"{module}.orm:app", "hand-tuned ORM (selectinload + load_only)"),
        Variant(
            "floor", f"{module}.floor:app", "one asyncpg statement, its JSON built by PostgreSQL"
        ),
        Variant("ceiling", f"{module}.ceiling:app", "bare FastAPI returning precomputed bytes"),
    ]


def render_generated(destination: Path) -> None:
    """`fe-gen new` the benchmark's models into `destination`."""
    command = [sys.executable, "-m", "fe_gen.generator", "new", str(destination)]
    command += ["--models", str(MODELS), "--force"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"fe-gen new failed:\n{result.stdout}{result.stderr}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    variant: Variant
    base_url: str
    pid: int


@contextmanager
def serve(variant: Variant, database_url: str, *, counting: bool) -> Iterator[Server]:
    """A uvicorn process serving `variant` until the block ends."""
    with serve_all([variant], database_url, counting=counting) as (server,):
        yield server


@contextmanager
def serve_all(
    chosen: Sequence[Variant], database_url: str, *, counting: bool
) -> Iterator[list[Server]]:
    """uvicorn processes serving each of `chosen`, started together, until the block ends."""
    with ExitStack() as stack:
        started = [_start(variant, database_url, counting, stack) for variant in chosen]
        stack.callback(_stop, [process for _, process, _, _ in started])
        servers = []
        for variant, process, base_url, log in started:
            _wait_ready(process, f"{base_url}/books/1", log)
            servers.append(Server(variant, base_url, process.pid))
        yield servers


def _start(
    variant: Variant, database_url: str, counting: bool, stack: ExitStack
) -> tuple[Variant, subprocess.Popen[bytes], str, IO[bytes]]:
    port = _free_port()
    inherited = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env = {**inherited, "DATABASE_URL": database_url, **variant.env}
    if "REDIS_URL" in variant.env:
        # Each server its own keys: entries of an earlier one could include rows that
        # seed.reset_connection deleted behind its back.
        env["CACHE_REDIS_PREFIX"] = prefix = f"fe_gen_bench_{secrets.token_hex(4)}"
        stack.callback(_delete_keys, env["REDIS_URL"], prefix)
    if counting:
        env.update(variant.counting_env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "uvicorn", variant.app, "--app-dir", str(variant.app_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port), *UVICORN_FLAGS]
    log = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 (the stack closes it)
    process = subprocess.Popen(
        command, cwd=variant.app_dir, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return variant, process, f"http://127.0.0.1:{port}", log


def _delete_keys(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _stop(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """Stop the servers: all asked at once, each killed if it takes more than 10 s."""
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(
    process: subprocess.Popen[bytes], url: str, log: IO[bytes], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise SystemExit(f"{process.args!r} exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{process.args!r} did not answer {url} within {timeout:.0f} s")
