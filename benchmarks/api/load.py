"""Load generators: wrk (the measurement) and a small asyncio loop (CI's smoke runs).

Both hold `connections` keep-alive connections busy for `duration` seconds and report
requests per second, the 50th and 99th latency percentiles and the failed requests. wrk
draws the ids of the get endpoints and writes the bodies of the create endpoint with a
Lua script the driver writes for each measurement.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

AUTHORS_FOR_CREATE = 20
"""Created books go to authors 1-20, which exist in every seed."""
DESCRIPTION = ("A book written for the benchmark, about as long as a seeded one. " * 31).strip()


@dataclass(frozen=True)
class Request:
    """What one measurement sends: a fixed path, a path per random id, or a created book."""

    method: str
    path: str
    """The path; for the get endpoints with `{id}` where the id goes."""
    ids: Sequence[int] = ()
    """Ids to draw from; empty when `id_range` applies or the path has no id."""
    id_range: int = 0
    """Draw ids from 1..id_range instead of `ids`."""


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def create_body(isbn: str, author_id: int = 1) -> dict[str, object]:
    """The JSON body every variant's create endpoint gets (the check sends it too)."""
    return {
        "title": "A Benchmark Book",
        "isbn": isbn,
        "description": DESCRIPTION,
        "price": "19.99",
        "published_on": "2024-05-01",
        "author_id": author_id,
    }


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII text is a valid Lua string


def _lua(request: Request, salt: int, seed: int) -> str:
    """The wrk script: the request to send, and a `done` that prints one JSON line."""
    head = f"local seed = {seed}\nlocal counter = 0\nlocal threads = 0\n"
    head += "setup = function(thread) thread:set('tid', threads); threads = threads + 1 end\n"
    head += "init = function(args) math.randomseed(seed + (tid or 0)) end\n"
    if request.method == "POST":
        body = json.dumps(create_body("__ISBN__", 123456789))
        before, rest = body.split('"__ISBN__"')
        middle, after = rest.split("123456789")
        head += f"local before, middle, after = {_lua_string(before)}, "
        head += f"{_lua_string(middle)}, {_lua_string(after)}\n"
        head += "local headers = {['Content-Type'] = 'application/json'}\n"
        head += "request = function()\n  counter = counter + 1\n"
        head += "  local isbn = string.format('\"1%02d%01d%09d\"', "
        head += f"{salt % 100}, (tid or 0) % 10, counter)\n"
        head += f"  local author = counter % {AUTHORS_FOR_CREATE} + 1\n"
        head += "  local body = before .. isbn .. middle .. author .. after\n"
        head += f"  return wrk.format('POST', {_lua_string(request.path)}, headers, body)\nend\n"
    elif request.ids or request.id_range:
        prefix, suffix = request.path.split("{id}")
        if request.ids:
            head += "local ids = {" + ",".join(str(i) for i in request.ids) + "}\n"
            draw = "ids[math.random(#ids)]"
        else:
            draw = f"math.random(1, {request.id_range})"
        head += f"local prefix, suffix = {_lua_string(prefix)}, {_lua_string(suffix)}\n"
        head += "request = function()\n"
        head += f"  return wrk.format('GET', prefix .. {draw} .. suffix)\nend\n"
    else:
        head += f"wrk.method = 'GET'\nwrk.path = {_lua_string(request.path)}\n"
    head += """done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "duration_us": %d, "errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""
    return head


def run_wrk(
    base_url: str, request: Request, *, duration: float, connections: int, salt: int, work: Path
) -> Result:
    """One wrk measurement (one thread: the machine has two cores and serves too)."""
    script = work / f"request-{salt}.lua"
    script.write_text(_lua(request, salt, seed=salt))
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s"]
    command += ["--timeout", "10s", "-s", str(script), base_url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((each for each in output.splitlines() if each.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    summary = json.loads(line.removeprefix("BENCH "))
    return Result(
        requests_per_second=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=summary["errors"],
        requests=summary["requests"],
    )


async def _python_load(
    base_url: str, request: Request, duration: float, connections: int, salt: int
) -> Result:
    rng = random.Random(salt)
    latencies: list[float] = []
    errors = 0
    counter = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + duration

        async def worker(number: int) -> None:
            nonlocal errors, counter
            while time.perf_counter() < deadline:
                counter += 1
                started = time.perf_counter()
                try:
                    if request.method == "POST":
                        isbn = f"1{salt % 100:02d}{number % 10}{counter:09d}"
                        author = counter % AUTHORS_FOR_CREATE + 1
                        body = create_body(isbn, author)
                        response = await client.post(request.path, json=body)
                    else:
                        path = request.path
                        if request.ids:
                            path = path.replace("{id}", str(rng.choice(request.ids)))
                        elif request.id_range:
                            path = path.replace("{id}", str(rng.randint(1, request.id_range)))
                        response = await client.get(path)
                    if response.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker(number) for number in range(connections)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Result(
        requests_per_second=len(latencies) / elapsed,
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
        errors=errors,
        requests=len(latencies),
    )


def run_python(
    base_url: str, request: Request, *, duration: float, connections: int, salt: int
) -> Result:
    """One measurement with httpx on asyncio: far slower than wrk, enough for a smoke run."""
    return asyncio.run(_python_load(base_url, request, duration, connections, salt))
