"""results.md: the table with what produced it, and the README's copy of it."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from benchmarks.api import check, report
from benchmarks.api.seed import Size, asyncpg_dsn
from benchmarks.api.serve import ROOT, Variant

PACKAGES = ("fastapi", "starlette", "pydantic", "sqlalchemy", "asyncpg", "fastcrud", "uvicorn")
README_START = "<!-- api-benchmark:start -->"
README_END = "<!-- api-benchmark:end -->"
NOTES = """\
- Ratios divide a variant's req/s by the floor's, FastCRUD's with tags (the one that returns
  the same content) and the ceiling's on the same endpoint.
- Statements are counted per request during the content check: the generated project
  reports them in its `Server-Timing` header (`SERVER_TIMING=true`); the other variants
  count SQLAlchemy's `after_cursor_execute` events or the floor's asyncpg calls into the
  same header. Transaction control and pool pings are not statements here; the generated
  project reads in autocommit and pings a pooled connection only when it has been idle
  (`POOL_PING_AFTER`).
- Measured runs start every variant without counting (the generated project with
  `ENVIRONMENT=production`, so without Server-Timing), one uvicorn worker each, uvloop,
  httptools, no access log; one variant serves at a time.
- FastCRUD lists also return `total_count` (its default, a second statement) and apply
  `limit` to joined rows: the tags variant asks for 3 x 50 rows, 50 books here because
  every seeded book has 3 tags. Its `create(schema_to_select=...)` fails on a model with a
  deferred column (MissingGreenlet), so its create endpoint creates, then gets the row.
- Response bytes are bodies: the floor's and the ceiling's JSON comes from PostgreSQL,
  which writes `"key" : value` with spaces."""


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


async def _server_version(url: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        version: str = await connection.fetchval("SHOW server_version")
        return version.split()[0]
    finally:
        await connection.close()


def environment(url: str, load: str) -> str:
    """One line about the machine and the versions measured."""
    tool = load
    if load == "wrk" and shutil.which("wrk"):
        first = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
        tool = " ".join(first[:2]) if first else "wrk"
    versions = ", ".join(f"{package} {_version(package)}" for package in PACKAGES)
    return (
        f"Python {platform.python_version()}, {versions}, PostgreSQL "
        f"{asyncio.run(_server_version(url))}, load from {tool}; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )


def write_results(
    args: argparse.Namespace,
    chosen: Sequence[Variant],
    rows: Sequence[report.Row],
    size: Size,
    env: str,
    elapsed: float,
) -> list[Path]:
    """results.md and (with matplotlib) results.png in `args.out`; the README's copy too."""
    args.out.mkdir(parents=True, exist_ok=True)
    written = [args.out / "results.md"]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "smoke run" if args.smoke else "run"
    settings = (
        f"{size.books:,} books, {size.authors:,} authors, {size.tags} tags; "
        f"{args.connections} connections, {args.duration:g} s per measurement after "
        f"{args.warmup:g} s of warm-up, {args.rounds} interleaved round(s), medians"
    )
    plot = args.out / "results.png"
    try:
        report.plot(rows, plot, f"{mode} {when}: {settings}")
        written.append(plot)
        figure = "![Requests per second per endpoint and variant](results.png)\n\n"
    except ImportError:
        figure = "(No plot: matplotlib is not installed.)\n\n"
    labels = "\n".join(f"- `{variant.name}`: {variant.label}" for variant in chosen)
    tolerated = "\n".join(f"- {line}" for line in check.tolerances(chosen)) or "- nothing"
    body = (
        f"{report.table(rows)}\n\n{figure}"
        f"Targets of the generated read path:\n\n" + "\n".join(report.targets(rows)) + "\n"
    )
    if args.cache_outcomes:
        body += (
            "\nHow the cached variants served their reads (from their `/metrics`, every "
            f"measured round):\n\n{report.cache_table(args.cache_outcomes)}\n"
        )
    loads = args.load_averages
    if loads:
        env += (
            f", {min(loads):.1f}-{max(loads):.1f} (median {statistics.median(loads):.1f}) "
            "after the measurements"
        )
    text = (
        f"# API benchmark results\n\n{mode.capitalize()} of {when}, {elapsed / 60:.1f} min: "
        f"{settings}.\n{env}.\n\n{body}\nVariants:\n\n{labels}\n\n"
        f"The content check passed, tolerating:\n\n{tolerated}\n\nNotes:\n\n{NOTES}\n"
    )
    written[0].write_text(text)
    if not args.smoke and args.out.resolve() == Path(__file__).resolve().parent:
        _update_readme(
            f"{mode.capitalize()} of {when}: {settings}.\n{env}.\n\n"
            + body.replace("](results.png)", "](benchmarks/api/results.png)")
        )
        written.append(ROOT / "README.md")
    return written


def _update_readme(content: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return
    text = text[: start + len(README_START)] + "\n" + content + text[end:]
    readme.write_text(text)
