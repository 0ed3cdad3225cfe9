"""The API benchmark of the generated read path, next to FastCRUD, the ORM, a floor and a ceiling.

Seeds PostgreSQL (seed.py), renders the generated project from models.py, then serves each
variant in its own uvicorn process with the same flags and loads it from wrk: a list of 50
books with their author and tags, a get by id over 100 hot ids and over every id, and a
create. Every variant's content is checked against the floor's first, and its statements
per request counted; the measurements then run in interleaved rounds and the medians go
to results.md and results.png.

    python -m benchmarks.api.run            # full: 20,000 books, c32, 10 s, 3 rounds (~16 min)
    python -m benchmarks.api.run --smoke    # CI: a tiny seed, one short round, no wrk needed

A script, not a test: the numbers depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.api import check, report
from benchmarks.api.load import Request, Result, run_python, run_wrk, wrk_available
from benchmarks.api.seed import SMOKE, Size, create_database, reset_connection, seed
from benchmarks.api.serve import Server, Variant, render_generated, serve, serve_all, variants
from benchmarks.api.summary import environment, write_results

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/fe_gen_bench"
ENDPOINTS = ("list", "get hot", "get cold", "create")
CHECKED_IDS = 20
HOT_IDS = 100
SEED = 7


def requests_for(variant: Variant, size: Size, hot_ids: Sequence[int]) -> dict[str, Request]:
    get = "/books/{id}" + (f"?{variant.get_query}" if variant.get_query else "")
    return {
        "list": Request("GET", f"/books?{variant.list_query}"),
        "get hot": Request("GET", get, ids=hot_ids),
        "get cold": Request("GET", get, id_range=size.books),
        "create": Request("POST", "/books"),
    }


def _check_ids(size: Size, hot_ids: Sequence[int]) -> dict[str, list[int]]:
    rng = random.Random(SEED)
    return {
        "get hot": rng.sample(list(hot_ids), min(CHECKED_IDS, len(hot_ids))),
        "get cold": rng.sample(range(1, size.books + 1), min(CHECKED_IDS, size.books)),
    }


def _check(
    server: Server,
    number: int,
    requests: dict[str, Request],
    ids: dict[str, list[int]],
    observed: dict[tuple[str, str], check.Observed],
) -> None:
    """Check one variant's endpoints against the floor's (already in `observed`)."""
    variant = server.variant
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for endpoint in ENDPOINTS:
            request = requests[endpoint]
            if endpoint == "create":
                isbns = [f"2{number:02d}{each:010d}" for each in range(2)]
                seen = check.observe_creates(client, variant, request, isbns)
            else:
                seen = check.observe_reads(client, variant, request, ids.get(endpoint, []))
                floor = observed.get((report.FLOOR, endpoint))
                if floor is not None:
                    check.same_content(variant, seen, floor)
            observed[(variant.name, endpoint)] = seen
    print(f"checked {variant.name}: same content as the floor", flush=True)


def _measure(
    server: Server,
    requests: dict[str, Request],
    args: argparse.Namespace,
    work: Path,
    results: dict[tuple[str, str], list[Result]],
    label: str,
) -> None:
    """Load each endpoint of one variant: warm-up (discarded), then the measurement."""
    name = server.variant.name
    for endpoint in args.endpoints:
        outcomes: Counter[str] = Counter()
        for seconds, keep in ((args.warmup, False), (args.duration, True)):
            if seconds > 0:
                args.salt += 1
                before = _cache_reads(server)
                result = _load(server.base_url, requests[endpoint], seconds, args, work)
                if keep:
                    results[(name, endpoint)].append(result)
                    args.load_averages.append(os.getloadavg()[0])
                    outcomes = _cache_reads(server) - before
        if endpoint == "create":
            asyncio.run(reset_connection(args.database_url, args.size))
        kept = results[(name, endpoint)][-1]
        errors = f"  {kept.errors} errors" if kept.errors else ""
        cache = ""
        if outcomes:
            args.cache_outcomes[(name, endpoint)].append(outcomes)
            cache = "  " + report.cache_shares(outcomes)
        print(
            f"{label} {name:<15} {endpoint:<9} {kept.requests_per_second:9,.0f} req/s  "
            f"p50 {kept.p50_ms:6.1f} ms  p99 {kept.p99_ms:6.1f} ms{errors}{cache}",
            flush=True,
        )


def _cache_reads(server: Server) -> Counter[str]:
    """The generated project's cached reads so far by outcome (hit-l1, hit-l2, coalesced,
    miss), from its /metrics; nothing for the other variants."""
    if not server.variant.name.startswith("generated+"):
        return Counter()
    reads: Counter[str] = Counter()
    text = httpx.get(f"{server.base_url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "cache_reads_total":
                reads[sample.labels["outcome"]] += int(sample.value)
    return reads


def run_all(
    chosen: Sequence[Variant], hot_ids: Sequence[int], args: argparse.Namespace, work: Path
) -> tuple[dict[tuple[str, str], check.Observed], dict[tuple[str, str], list[Result]]]:
    """Check every variant (the floor first), then measure them in interleaved rounds.

    A smoke run starts every variant's server at once (counting on) and measures each on
    the server its check used: six servers starting together rather than twelve in turn.
    """
    url, size = args.database_url, args.size
    ids = _check_ids(size, hot_ids)
    observed: dict[tuple[str, str], check.Observed] = {}
    results: dict[tuple[str, str], list[Result]] = defaultdict(list)
    ordered = sorted(chosen, key=lambda variant: variant.name != report.FLOOR)
    if args.smoke:
        with serve_all(ordered, url, counting=True) as servers:
            for number, server in enumerate(servers):
                requests = requests_for(server.variant, size, hot_ids)
                _check(server, number, requests, ids, observed)
                asyncio.run(reset_connection(url, size))
                _measure(server, requests, args, work, results, "smoke")
        return observed, results
    for number, variant in enumerate(ordered):
        with serve(variant, url, counting=True) as server:
            _check(server, number, requests_for(variant, size, hot_ids), ids, observed)
            asyncio.run(reset_connection(url, size))
    for round_number in range(args.rounds):
        shift = round_number % len(chosen)
        for variant in [*chosen[shift:], *chosen[:shift]]:
            with serve(variant, url, counting=False) as server:
                label = f"round {round_number + 1}/{args.rounds}"
                _measure(server, requests_for(variant, size, hot_ids), args, work, results, label)
    return observed, results


def _load(
    base_url: str, request: Request, seconds: float, args: argparse.Namespace, work: Path
) -> Result:
    options = {"duration": seconds, "connections": args.connections, "salt": args.salt}
    if args.load == "wrk":
        return run_wrk(base_url, request, work=work, **options)
    return run_python(base_url, request, **options)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--smoke", action="store_true", help="tiny seed, one short round")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=float, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, help="seconds of discarded load before each")
    parser.add_argument("--connections", type=int, help="concurrent connections (32; smoke 8)")
    parser.add_argument("--load", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--variants", nargs="+", help="names of the variants to run")
    parser.add_argument("--endpoints", nargs="+", choices=ENDPOINTS, default=list(ENDPOINTS))
    parser.add_argument("--out", type=Path, default=HERE, help="where results.md/.png go")
    args = parser.parse_args(argv)
    smoke = args.smoke
    args.rounds = args.rounds or (1 if smoke else 3)
    args.connections = args.connections or (8 if smoke else 32)
    args.duration = args.duration or (0.3 if smoke else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (0.0 if smoke else 2.0)
    if args.load == "auto":
        args.load = "wrk" if wrk_available() and not smoke else "python"
    if args.load == "wrk" and not wrk_available():
        parser.error("wrk is not installed (apt-get install wrk), use --load python")
    args.size = SMOKE if smoke else Size()
    args.salt = 0
    args.load_averages = []
    args.cache_outcomes = defaultdict(list)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    started = time.monotonic()
    size = args.size
    asyncio.run(create_database(args.database_url))
    if asyncio.run(seed(args.database_url, size)):
        print(f"seeded {size}", flush=True)
    hot_ids = sorted(random.Random(SEED).sample(range(1, size.books + 1), min(HOT_IDS, size.books)))
    with tempfile.TemporaryDirectory(prefix="fe-gen-api-bench-") as scratch:
        work = Path(scratch)
        render_generated(work / "generated")
        chosen = variants(work / "generated")
        if args.variants:
            unknown = set(args.variants) - {variant.name for variant in chosen}
            if unknown:
                sys.exit(f"unknown variants: {sorted(unknown)}")
            chosen = [variant for variant in chosen if variant.name in args.variants]
        env = environment(args.database_url, args.load)
        observed, results = run_all(chosen, hot_ids, args, work)
    rows = [
        report.medians(
            variant.name,
            endpoint,
            results[(variant.name, endpoint)],
            observed[(variant.name, endpoint)].statements,
            observed[(variant.name, endpoint)].body_bytes,
        )
        for endpoint in args.endpoints
        for variant in chosen
    ]
    elapsed = time.monotonic() - started
    written = write_results(args, chosen, rows, size, env, elapsed)
    print(report.table(rows))
    print("\n".join(report.targets(rows)))
    print(f"wrote {', '.join(str(path) for path in written)} in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
