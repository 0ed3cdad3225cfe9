"""One file, end to end: prefilter, decode, pre-check, parse, run rules, fix, re-check.

Like LibCST's own runner it never raises for a file: every path ends in a `FileOutcome`
(skipped, clean, findings, rewritten, or an error to report), and the engine folds the
outcomes into a summary and an exit status. Work grows only with what a file may hold:
the text prefilter decides most files; the stdlib `ast` pre-check names the functions
that could hold a finding; LibCST metadata is resolved for those functions only.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fe_gen.codemods.config import Mode
from fe_gen.codemods.fileio import DecodeError, decode
from fe_gen.codemods.rules import RuleEntry
from fe_gen.codemods.suppression import is_suppressed, suppressions

if TYPE_CHECKING:
    from fe_gen.codemods.models_index import ModelsIndex
    from fe_gen.codemods.rules.base import Finding

MAX_ROUNDS = 5


@dataclass(frozen=True)
class Reported:
    """A finding as shown to the user (plain data: it crosses process boundaries)."""

    path: Path
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str
    fix: str | None  # "safe", "unsafe" or None


@dataclass
class FileOutcome:
    path: Path
    skipped: bool = False
    findings: list[Reported] = field(default_factory=list)
    fixed: Counter[str] = field(default_factory=Counter)
    new_data: bytes | None = None  # the rewritten file, when it changed
    old_text: str = ""
    new_text: str = ""
    error: str | None = None
    internal: bool = False


def _applicable(finding: Finding, unsafe: bool) -> bool:
    if finding.fix is None:
        return False
    return finding.fix.applicability.value == "safe" or unsafe


def process(
    path: Path,
    data: bytes,
    rules: Sequence[RuleEntry],
    mode: Mode,
    unsafe: bool,
    models: ModelsIndex,
) -> FileOutcome:
    """Run `rules` on one file's bytes; never raises."""
    active = [rule for rule in rules if rule.prefilter(data)]
    if not active:
        return FileOutcome(path, skipped=True)
    try:
        source = decode(data)
    except DecodeError as error:
        return FileOutcome(path, error=f"cannot decode: {error}")
    try:
        return _process_text(path, source.text, active, mode, unsafe, models, source.encoding)
    except Exception as error:  # a bug in a rule must not stop the run: report it
        return FileOutcome(
            path, error=f"internal error: {type(error).__name__}: {error}", internal=True
        )


def _precheck(
    text: str, rules: Sequence[RuleEntry]
) -> tuple[ast.Module, frozenset[str], list[RuleEntry]]:
    tree = ast.parse(text)
    needed: set[str] = set()
    active = []
    for rule in rules:
        names = rule.precheck(tree)
        if names is not None:
            needed |= names
            active.append(rule)
    return tree, frozenset(needed), active


def _process_text(
    path: Path,
    text: str,
    rules: Sequence[RuleEntry],
    mode: Mode,
    unsafe: bool,
    models: ModelsIndex,
    encoding: str,
) -> FileOutcome:
    try:
        tree, needed, active = _precheck(text, rules)
    except (SyntaxError, ValueError) as error:
        return FileOutcome(path, error=f"cannot parse: {_syntax_message(error)}")
    if not active:
        return FileOutcome(path, skipped=True)
    from fe_gen.codemods import analyse  # LibCST is imported only past the cheap tests

    outcome = FileOutcome(path, old_text=text, new_text=text)
    current = text
    for round_ in range(MAX_ROUNDS + 1):
        try:
            module, located = analyse.run_rules(path, current, tree, active, needed, models)
        except analyse.ParseError as error:
            outcome.error = f"cannot parse: {error}"
            return outcome
        table = suppressions(current)
        located = [f for f in located if not is_suppressed(f.finding.code, f.lines, table)]
        outcome.findings = [f.reported for f in located]
        fixable = [f.finding for f in located if _applicable(f.finding, unsafe)]
        if mode is Mode.CHECK or not fixable or round_ == MAX_ROUNDS:
            break
        new_code, applied = analyse.apply_fixes(module, fixable)
        if new_code == current:
            break
        outcome.fixed.update(finding.code for finding in applied)
        outcome.findings = []
        current = new_code
        tree = ast.parse(current)
    outcome.new_text = current
    if current != text:
        outcome.new_data = current.encode(encoding)
    return outcome


def _syntax_message(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"{error.msg} (line {error.lineno})"
    return str(error)
