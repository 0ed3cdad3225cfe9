"""Options of one `fe-gen optimize` run: the command line over `[tool.fe-gen.optimize]`.

The table is read from the nearest `pyproject.toml` at or above the working directory.
`select` on the command line replaces the configured one; `ignore` adds to it; `exclude`
comes from the file only, its patterns relative to the file's folder; `--models` replaces
`models`, the import path of the models to read exactly (imported, not read statically).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from fe_gen.codemods.rules import ALL_RULES, RuleEntry
from fe_gen.generator.errors import FeGenError

_KEYS = {"select", "ignore", "exclude", "models"}
_STRINGS = {"models"}  # the keys that hold one string; the others hold lists of strings


class Mode(Enum):
    FIX = "fix"
    CHECK = "check"
    DIFF = "diff"


class OutputFormat(Enum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


@dataclass(frozen=True)
class Settings:
    """Everything the engine needs to know about a run."""

    paths: tuple[Path, ...]
    mode: Mode = Mode.FIX
    unsafe_fixes: bool = False
    rules: tuple[RuleEntry, ...] = ALL_RULES
    output: OutputFormat = OutputFormat.TEXT
    jobs: int = 0  # 0: one per core
    exclude: tuple[str, ...] = ()
    project_root: Path | None = None
    cwd: Path = field(default_factory=Path.cwd)
    models: str | None = None  # an import path: read the models from their mappers

    @property
    def import_root(self) -> Path:
        """Where `models` is imported from: the folder of the pyproject.toml, else the
        working directory."""
        return self.project_root or self.cwd

    @property
    def workers(self) -> int:
        """`--jobs`, or one per core this process may run on, as ruff and pytest-xdist's
        `auto` count them. Not fewer when the load average is high: that average is
        mostly the previous run's on a two-core machine running fe-gen back to back, and
        one process then took 15.6 s on onyx where two took 10.1 s."""
        if self.jobs > 0:
            return self.jobs
        try:
            return len(os.sched_getaffinity(0)) or 1
        except AttributeError:  # not on every platform
            return os.cpu_count() or 1


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_table(pyproject: Path | None) -> dict[str, Any]:
    """The `[tool.fe-gen.optimize]` table, checked: lists of strings under known keys,
    and `models` a string."""
    if pyproject is None:
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise FeGenError(f"{pyproject}: cannot read: {error}") from None
    table = data.get("tool", {}).get("fe-gen", {}).get("optimize", {})
    if not isinstance(table, dict):
        raise FeGenError(f"{pyproject}: [tool.fe-gen.optimize] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise FeGenError(
            f"{pyproject}: unknown key {unknown[0]!r} in [tool.fe-gen.optimize] "
            f"(expected one of {', '.join(sorted(_KEYS))})"
        )
    for key, value in table.items():
        if key in _STRINGS:
            if not isinstance(value, str) or not value.strip():
                raise FeGenError(f"{pyproject}: [tool.fe-gen.optimize] {key} must be a string")
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FeGenError(f"{pyproject}: [tool.fe-gen.optimize] {key} must be a list of strings")
    return table


def split_codes(values: Sequence[str] | None) -> list[str] | None:
    """`["FE101,FE102", "FE2"]` -> `["FE101", "FE102", "FE2"]`; None stays None."""
    if values is None:
        return None
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


def choose_rules(select: Sequence[str] | None, ignore: Sequence[str]) -> tuple[RuleEntry, ...]:
    """Rules whose code starts with a selected prefix ("ALL" for all) and no ignored one."""
    for code in [*(select or ()), *ignore]:
        if code != "ALL" and not any(rule.code.startswith(code) for rule in ALL_RULES):
            known = ", ".join(rule.code for rule in ALL_RULES)
            raise FeGenError(f"unknown rule code {code!r} (known: {known})")
    chosen = [
        rule
        for rule in ALL_RULES
        if select is None or any(code == "ALL" or rule.code.startswith(code) for code in select)
    ]
    return tuple(r for r in chosen if not any(r.code.startswith(c) or c == "ALL" for c in ignore))


def build_settings(
    paths: Sequence[Path],
    *,
    mode: Mode,
    unsafe_fixes: bool,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    output: OutputFormat,
    jobs: int,
    cwd: Path | None = None,
    models: str | None = None,
) -> Settings:
    """Merge command-line options over the project's configuration."""
    here = cwd or Path.cwd()
    pyproject = find_pyproject(here)
    table = read_table(pyproject)
    if jobs < 0:
        raise FeGenError(f"--jobs must be 0 (one per core) or more, not {jobs}")
    chosen_select = split_codes(select) if select else split_codes(table.get("select"))
    chosen_ignore = [*(split_codes(table.get("ignore")) or []), *(split_codes(ignore) or [])]
    return Settings(
        paths=tuple(paths) or (Path("."),),
        mode=mode,
        unsafe_fixes=unsafe_fixes,
        rules=choose_rules(chosen_select, chosen_ignore),
        output=output,
        jobs=jobs,
        exclude=tuple(table.get("exclude", ())),
        project_root=pyproject.parent if pyproject is not None else None,
        cwd=here,
        models=models or table.get("models"),
    )


def options_to_settings(
    paths: Sequence[Path],
    check: bool,
    diff: bool,
    unsafe_fixes: bool,
    select: Sequence[str] | None,
    ignore: Sequence[str] | None,
    output_format: str,
    jobs: int,
    models: str | None = None,
) -> Settings:
    """The command line's options, checked, as Settings (FeGenError on a bad combination)."""
    if check and diff:
        raise FeGenError("--check and --diff cannot be used together")
    try:
        output = OutputFormat(output_format)
    except ValueError:
        raise FeGenError(f"--format must be text, json or github, not {output_format!r}") from None
    missing = [path for path in paths if not path.exists()]
    if missing:
        raise FeGenError(f"{missing[0]}: no such file or directory")
    mode = Mode.CHECK if check else Mode.DIFF if diff else Mode.FIX
    return build_settings(
        paths,
        mode=mode,
        unsafe_fixes=unsafe_fixes,
        select=select,
        ignore=ignore,
        output=output,
        jobs=jobs,
        models=models,
    )
