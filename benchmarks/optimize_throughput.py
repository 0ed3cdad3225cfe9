"""Throughput of `fe-gen optimize --check` next to `ruff check` on the same tree.

Generates a tree of about 2,000 files and 200,000 lines, mostly clean (models, services
whose queries already filter in SQL, plain utility code full of loops and comprehensions)
with one file in a hundred holding FE101's anti-pattern, then times both tools in one run,
alternating, and prints the medians and their ratio.

    python benchmarks/optimize_throughput.py            # generated tree, 5 rounds
    python benchmarks/optimize_throughput.py --tree PATH --rounds 7   # an existing tree

A script, not a test: the numbers depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODEL = '''\
"""Models of package {pkg}."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass

'''
MODEL_CLASS = """
class Item{n}(Base):
    __tablename__ = "item{n}"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None]
    active: Mapped[bool] = mapped_column(default=True)
    created: Mapped[dt.datetime]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"))
"""
SERVICE = '''\
"""Services of package {pkg}."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import {names}

'''
SERVICE_FUNCTION = '''

def list_item{n}(session: Session, *, active: bool = True, limit: int = 50) -> list[Item{n}]:
    """Items, filtered in SQL as they should be."""
    stmt = select(Item{n}).where(Item{n}.active == active).order_by(Item{n}.id).limit(limit)
    rows = session.scalars(stmt).all()
    return [row for row in rows]


def names_item{n}(session: Session) -> list[str]:
    names = []
    for row in session.scalars(select(Item{n}).where(Item{n}.note.is_not(None))):
        names.append(row.name.title())
    return names
'''
BAD_FUNCTION = """

def active_item{n}(session: Session) -> list[Item{n}]:
    rows = session.scalars(select(Item{n})).all()
    return [row for row in rows if row.active and row.note is not None]
"""
UTIL_FUNCTION = '''

def transform_{n}(values: list[int], factor: int = {n}) -> dict[str, list[int]]:
    """Plain Python: loops and comprehensions, no database."""
    out: dict[str, list[int]] = {{}}
    for value in values:
        if value % 2:
            out.setdefault("odd", []).append(value * factor)
        else:
            out.setdefault("even", []).append(value // (factor or 1))
    evens = [v for v in out.get("even", []) if v > {n}]
    total = sum(v for v in values if v < 100)
    return {{"evens": evens, "total": [total], **out}}
'''


def generate(root: Path, files: int = 2000) -> tuple[int, int]:
    """Write the tree; returns (files, lines)."""
    packages = files // 10
    lines = 0
    count = 0
    for p in range(packages):
        pkg = root / f"pkg{p:03d}"
        pkg.mkdir(parents=True)
        names = [f"Item{p * 10 + k}" for k in range(6)]
        texts = {
            "__init__.py": f'"""Package {p}."""\n',
            "models.py": MODEL.format(pkg=p) + "".join(MODEL_CLASS.format(n=n[4:]) for n in names),
            "services.py": SERVICE.format(pkg=p, names=", ".join(names))
            + "".join(SERVICE_FUNCTION.format(n=n[4:]) for n in names)
            + (BAD_FUNCTION.format(n=names[0][4:]) if p % 10 == 0 else ""),
        }
        for u in range(7):
            texts[f"util{u}.py"] = '"""Utilities."""\n' + "".join(
                UTIL_FUNCTION.format(n=p * 100 + u * 10 + k) for k in range(9)
            )
        for name, text in texts.items():
            (pkg / name).write_text(text)
            lines += text.count("\n")
            count += 1
    return count, lines


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="an existing tree instead of a generated one")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    fe_gen = shutil.which("fe-gen") or sys.exit("fe-gen is not installed (pip install -e .)")
    ruff = shutil.which("ruff") or sys.exit("ruff is not installed")
    with tempfile.TemporaryDirectory(prefix="fe-gen-bench-") as scratch:
        tree = args.tree
        if tree is None:
            tree = Path(scratch) / "tree"
            files, lines = generate(tree)
            print(f"generated {files} files, {lines} lines in {tree}")
        commands = {
            "fe-gen optimize --check": [fe_gen, "optimize", "--check", "."],
            "ruff check": [ruff, "check", "--no-cache", "--isolated", "--quiet", "."],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        timed(commands["fe-gen optimize --check"], tree)  # warm the OS file cache
        for _ in range(args.rounds):
            for name, command in commands.items():
                times[name].append(timed(command, tree))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        runs = " ".join(f"{v:.2f}" for v in values)
        print(f"{name:<26} median {medians[name]:.3f} s   (runs: {runs})")
    ratio = medians["fe-gen optimize --check"] / medians["ruff check"]
    print(f"ratio fe-gen / ruff: {ratio:.1f}x")


if __name__ == "__main__":
    main()
