"""Helpers shared by the codemod tests: run the rules on a source text in memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fe_gen.codemods.config import Mode
from fe_gen.codemods.engine import optimize_source
from fe_gen.codemods.runner import FileOutcome


def only(code: str) -> dict[str, object]:
    """Options that run one rule: its cases and behaviour tests pin that rule's output."""
    from fe_gen.codemods.rules import ALL_RULES

    return {"rules": [entry for entry in ALL_RULES if entry.code == code]}


def pinned(code: str) -> tuple[Callable[..., FileOutcome], Callable[..., str]]:
    """`check` and `fix` with one rule only: its cases and behaviour tests pin its output."""
    rules = only(code)

    def check_one(source: str, **options: object) -> FileOutcome:
        return check(source, **rules, **options)

    def fix_one(source: str, **options: object) -> str:
        return fix(source, **rules, **options)  # type: ignore[arg-type]

    return check_one, fix_one


def check(source: str, **options: object) -> FileOutcome:
    return optimize_source(source, mode=Mode.CHECK, **options)  # type: ignore[arg-type]


def fix(source: str, *, unsafe: bool = False, **options: object) -> str:
    outcome = optimize_source(source, mode=Mode.FIX, unsafe_fixes=unsafe, **options)  # type: ignore[arg-type]
    assert outcome.error is None, outcome.error
    return outcome.new_text if outcome.new_data is not None else source


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder (with a pyproject.toml) as the working directory."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path
