"""The API benchmark runs end to end in its smoke mode, as CI runs it.

A tiny seed, one short round, and the httpx load loop rather than wrk (CI installs no
apt packages): what matters here is that every variant starts, returns the floor's
content and lands in the table, not the numbers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import takewhile
from pathlib import Path

from benchmarks.api.run import ENDPOINTS
from benchmarks.api.serve import variants

ROOT = Path(__file__).parents[2]


def test_smoke_run_writes_a_row_per_variant_and_endpoint(
    postgres_database: str, redis_url: str, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "benchmarks.api.run", "--smoke", "--load", "python"]
    command += ["--database-url", postgres_database, "--out", str(tmp_path)]
    env = {**os.environ, "REDIS_URL": redis_url}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    names = [variant.name for variant in variants(tmp_path)]
    for name in names:
        assert f"checked {name}: same content as the floor" in result.stdout
    table = (tmp_path / "results.md").read_text()
    lines = table.splitlines()
    header = lines.index(next(line for line in lines if line.startswith("| variant")))
    rows = takewhile(lambda line: line.startswith("| "), lines[header + 2 :])
    found = {tuple(cell.strip() for cell in row.split("|")[1:3]) for row in rows}
    assert found == {(name, endpoint) for name in names for endpoint in ENDPOINTS}
    assert "Targets of the generated read path" in table
    # The cached variants' reads, by outcome, from their /metrics.
    assert "| generated+redis | get hot |" in table
