"""What the fixes leave, tidied as the project's own ruff would: new imports sorted, the
changed code formatted as the rest of the file. A fix must not trigger I001, E501 or the
project's formatter hook.

A fix adds `from sqlalchemy.orm import selectinload` where a reader looks for it
(`fixer`); the project's isort settings (known-first-party, order-by-type, force-single-
line...) decide its exact place and spelling. When the file's imports were sorted before
the fix, ruff's isort, run with the project's configuration, re-sorts them after it; a
file whose imports were unsorted already keeps them as the fix made them (re-sorting
would change lines the fix did not touch). When the file was as `ruff format` (with the
project's configuration, or black's line length) leaves it, the fixed file is formatted
whole: formatting then changes only what the fixes wrote, so a ruff-format or black hook
that ran before still passes. Otherwise a changed line longer than the project's line
length (ruff's `line-length`, else black's, else ruff's default; E501 counts even where
the project ignores it, as black then wraps) is reformatted alone with
`ruff format --range`: only the statement it belongs to, never the rest of the file.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

_TIMEOUT = 30
_RUFF_FILES = ("ruff.toml", ".ruff.toml")


def _ruff() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        return str(find_ruff_bin())
    except FileNotFoundError:
        return None


def _run(path: Path, arguments: list[str], text: str) -> subprocess.CompletedProcess[bytes] | None:
    ruff = _ruff()
    if ruff is None:
        return None
    command = [ruff, *arguments, "--stdin-filename", str(path), "-"]
    try:
        return subprocess.run(
            command,
            input=text.encode(),
            capture_output=True,
            cwd=path.parent if path.parent.is_dir() else None,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def _black_line_length(path: Path) -> list[str]:
    """`--line-length N` from black's settings when no ruff configuration is in sight."""
    for folder in path.absolute().parents:
        if any((folder / name).is_file() for name in _RUFF_FILES):
            return []
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                tool = tomllib.loads(pyproject.read_text()).get("tool", {})
            except (OSError, ValueError):
                return []
            if "line-length" in tool.get("ruff", {}):
                return []
            length = tool.get("black", {}).get("line-length")
            return ["--line-length", str(length)] if isinstance(length, int) else []
    return []


def _sorted_imports(path: Path, before: str, after: str) -> str:
    check = ["check", "--select", "I001", "--no-cache", "--quiet"]
    done = _run(path, check, before)
    if done is None or done.returncode != 0:
        return after
    done = _run(path, [*check, "--fix", "--exit-zero"], after)
    return done.stdout.decode() if done is not None and done.returncode == 0 else after


def _long_lines(path: Path, text: str, length: list[str]) -> list[int]:
    command = ["check", "--select", "E501", "--no-cache", "--output-format", "json", "--exit-zero"]
    command += ["--config", "lint.ignore = []", "--config", "lint.per-file-ignores = {}"]
    done = _run(path, [*command, *length], text)
    if done is None or done.returncode != 0:
        return []
    try:
        return sorted({item["location"]["row"] for item in json.loads(done.stdout)})
    except (ValueError, KeyError, TypeError):
        return []


def _wrapped(path: Path, before: str, after: str) -> str:
    length = _black_line_length(path)
    old = set(before.splitlines())
    lines = after.splitlines()
    changed = [n for n in _long_lines(path, after, length) if lines[n - 1] not in old]
    for number in reversed(changed):
        line = after.splitlines()[number - 1]
        done = _run(
            path, ["format", "--range", f"{number}:1-{number}:{len(line) + 1}", *length], after
        )
        if done is not None and done.returncode == 0:
            after = done.stdout.decode()
    return after


def _formatted(path: Path, before: str, after: str) -> str | None:
    """`after` formatted whole, when `before` was already as ruff formats it (the project
    keeps a formatter's style, and formatting then changes only what the fixes wrote)."""
    length = _black_line_length(path)
    done = _run(path, ["format", "--check", "--quiet", *length], before)
    if done is None or done.returncode != 0:
        return None
    done = _run(path, ["format", "--quiet", *length], after)
    return done.stdout.decode() if done is not None and done.returncode == 0 else None


def tidy(path: Path, before: str, after: str) -> str:
    """`after` (the fixed `before`) with new imports sorted, then formatted as the file was
    (or, in a file no formatter keeps, with the changed long lines wrapped)."""
    after = _sorted_imports(path, before, after)
    return _formatted(path, before, after) or _wrapped(path, before, after)
