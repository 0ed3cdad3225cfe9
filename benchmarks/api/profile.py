"""Where a request's time goes, in process: ASGI calls into one variant, no HTTP, no wrk.

    python -m benchmarks.api.profile --variant generated --endpoint "get cold"
    python -m benchmarks.api.profile --variant floor --endpoint list --profile

Renders the generated project (as `run` does), starts the app's lifespan, then calls the
endpoint `--requests` times, `--concurrency` at a time, and prints the CPU time per
request; with `--profile`, a pyinstrument call tree of the same calls (install it with
`pip install pyinstrument`). Run it against the database `run` seeded.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.api.run import DEFAULT_URL, ENDPOINTS, HOT_IDS, requests_for
from benchmarks.api.seed import Size
from benchmarks.api.serve import Variant, render_generated, variants

Message = MutableMapping[str, Any]
App = Callable[
    [Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


def _path(variant: Variant, endpoint: str, book_id: int) -> str:
    request = requests_for(variant, Size(), ())[endpoint]
    return request.path.replace("{id}", str(book_id))


async def _call(app: App, path_and_query: str) -> int:
    """One GET through the app; its status."""
    parts = urlsplit(path_and_query)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _lifespan(app: App) -> Callable[[], Awaitable[None]]:
    """Start the app's lifespan; the coroutine that ends it."""
    started: asyncio.Queue[Message] = asyncio.Queue()
    incoming: asyncio.Queue[Message] = asyncio.Queue()
    await incoming.put({"type": "lifespan.startup"})

    async def send(message: Message) -> None:
        await started.put(message)

    task = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, incoming.get, send)
    )
    message = await started.get()
    if message["type"] != "lifespan.startup.complete":
        raise SystemExit(f"the app did not start: {message}")

    async def stop() -> None:
        await incoming.put({"type": "lifespan.shutdown"})
        await started.get()
        await task

    return stop


async def _measure(
    app: App, paths: list[str], requests: int, concurrency: int
) -> tuple[float, dict[int, int]]:
    """CPU seconds this process spent on `requests` calls, `concurrency` at a time (less
    noisy than wall time on a shared machine, and the same while the process is CPU-bound);
    how many got each status."""
    statuses: dict[int, int] = {}
    queue = iter(range(requests))

    async def worker() -> None:
        for index in queue:
            status = await _call(app, paths[index % len(paths)])
            statuses[status] = statuses.get(status, 0) + 1

    started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.process_time() - started, statuses


async def _main(args: argparse.Namespace) -> None:
    os.environ.setdefault("DATABASE_URL", args.database_url)
    with tempfile.TemporaryDirectory(prefix="fe-gen-profile-") as scratch:
        generated_dir = args.project or Path(scratch) / "generated"
        if args.project is None:
            render_generated(generated_dir)
        variant = next(v for v in variants(generated_dir) if v.name == args.variant)
        os.environ.update(variant.env)
        sys.path.insert(0, str(variant.app_dir))
        module_name, attribute = variant.app.split(":")
        app: App = getattr(importlib.import_module(module_name), attribute)
        stop = await _lifespan(app)
        try:
            ids = range(1, HOT_IDS + 1) if args.endpoint == "get hot" else range(1, 20_001)
            chosen = random.Random(0).choices(list(ids), k=2_000)
            paths = [_path(variant, args.endpoint, book_id) for book_id in chosen]
            await _measure(app, paths, args.requests // 5, args.concurrency)  # warm up
            if args.profile:
                from pyinstrument import Profiler

                with Profiler(interval=0.0002, async_mode="disabled") as profiler:
                    await _measure(app, paths, args.requests, args.concurrency)
                profiler.print(show_all=bool(os.environ.get("SHOW_ALL")), short_mode=True)
            rounds = []
            for _ in range(args.rounds):
                seconds, statuses = await _measure(app, paths, args.requests, args.concurrency)
                rounds.append(seconds / args.requests * 1e6)
            print(
                f"{variant.name} {args.endpoint}: median {statistics.median(rounds):.0f} µs of CPU "
                f"per request over {args.rounds} rounds of {args.requests} (statuses {statuses})"
            )
        finally:
            await stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--variant", default="generated")
    parser.add_argument("--endpoint", choices=ENDPOINTS[:3], default="get cold")
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--project", type=Path, help="a generated project to use as is, instead of rendering one"
    )
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument call tree")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
