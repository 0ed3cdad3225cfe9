"""Filters compare the values clients send, not values rounded to their column's precision.

A project over columns with a precision, a length or fields (tests/fixtures/models/exact.py)
stores rows through its API; then every filter below, with values finer than or beyond what
the columns hold, must return exactly the rows Python finds among the rows read back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MODELS = Path(__file__).parents[1] / "fixtures" / "models" / "exact.py"

CHECK = r'''
import asyncio, datetime as dt, json, os, uuid
from decimal import Decimal
from pydantic import TypeAdapter
from tests.conftest import serve

ROWS = [
    {"price": "50.12", "code": "ab", "small": -32768, "big": 2**62, "ratio": 0.3,
     "single": 1.1, "day": "2024-02-29", "at": "2024-01-01T10:00:00.000001+00:00",
     "token": str(uuid.UUID(int=1)), "level": "low", "span": "PT5H3S"},
    {"price": "50.13", "code": "abcde", "small": 32767, "big": -(2**62), "ratio": 0.1 + 0.2,
     "single": 2.5, "day": "2024-03-01", "at": "2024-01-01T10:00:00.000002+00:00",
     "token": str(uuid.UUID(int=2)), "level": "high", "span": "P1DT1S"},
    {"price": "-0.01", "code": "b", "small": 0, "big": 0, "ratio": 1e-7,
     "single": -3.75, "day": "1999-12-31", "at": "2023-12-31T23:59:59.999999+00:00",
     "token": str(uuid.UUID(int=3)), "level": "low", "span": "PT0S"},
]
FILTERS = [
    ("price", "50.126"), ("price", "50.125"), ("price", "50.1249999"), ("price", "50.13"),
    ("price", "-0.005"), ("price", "99999999.999"),
    ("code", "abcdef"), ("code", "abcde"), ("code", "ab"),
    ("small", "32767"), ("small", "-32768"), ("big", str(2**62)), ("big", str(2**62 - 1)),
    ("ratio", "0.30000000000000004"), ("ratio", "0.3"), ("ratio", "1e-7"),
    ("single", "1.1"), ("single", "2.5"),
    ("day", "2024-02-29"), ("day", "2024-03-01"),
    ("at", "2024-01-01T10:00:00.000001+00:00"), ("at", "2024-01-01T11:00:00.0000015+01:00"),
    ("token", str(uuid.UUID(int=2))), ("level", "low"),
    ("span", "PT5H3S"), ("span", "PT5H2.5S"), ("span", "P1D"),
]
OPERATORS = {
    "": lambda a, b: a == b, "__ne": lambda a, b: a != b, "__gt": lambda a, b: a > b,
    "__gte": lambda a, b: a >= b, "__lt": lambda a, b: a < b, "__lte": lambda a, b: a <= b,
}

def parse(field, text):
    """A value of `field` from its text in a query or a response."""
    if field == "price":
        return Decimal(text)
    if field in ("ratio", "single"):
        return float(text)
    if field in ("small", "big"):
        return int(text)
    if field == "day":
        return dt.date.fromisoformat(text)
    if field == "at":
        return dt.datetime.fromisoformat(text)
    if field == "span":
        return TypeAdapter(dt.timedelta).validate_python(text)
    return text

async def main():
    wrong = []
    async with serve(os.environ["URL"]) as client:
        response = await client.post("/measures/bulk", json=ROWS)
        assert response.status_code == 201, response.text
        stored = (await client.get("/measures", params={"limit": 500})).json()["items"]
        for field, text in FILTERS:
            for suffix, compare in OPERATORS.items():
                if field in ("token", "level") and suffix not in ("", "__ne"):
                    continue
                value = parse(field, text)
                expected = sorted(r["id"] for r in stored if compare(parse(field, str(r[field])), value))
                response = await client.get("/measures", params={field + suffix: text, "limit": 500})
                assert response.status_code == 200, (field + suffix, text, response.text)
                found = sorted(r["id"] for r in response.json()["items"])
                if found != expected:
                    wrong.append(f"{field}{suffix}={text}: API {found}, Python {expected}")
    print(json.dumps(wrong))

asyncio.run(main())
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("exact") / "exact"
    command = [sys.executable, "-m", "fe_gen.generator", "new", str(dest), "--models", str(MODELS)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return dest


def mismatches(project: Path, url: str) -> str:
    env = {key: value for key, value in os.environ.items() if "DATABASE_URL" not in key}
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=project,
        env=env | {"URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def test_filters_compare_exact_values_on_sqlite(project: Path, tmp_path: Path) -> None:
    assert mismatches(project, f"sqlite+aiosqlite:///{tmp_path / 'exact.db'}") == "[]"


def test_filters_compare_exact_values_on_postgresql(project: Path, postgres_database: str) -> None:
    assert mismatches(project, postgres_database) == "[]"
