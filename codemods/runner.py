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
from fe_gen.codemods.hints import NO_HINTS, Hints
from fe_gen.codemods.rules import Needed, RuleEntry

if TYPE_CHECKING:
    import libcst as cst

    from fe_gen.codemods.analyse import Located
    from fe_gen.codemods.models_index import ModelsIndex
    from fe_gen.codemods.rules.base import Finding

MAX_ROUNDS = 5
REDUCE = True  # blank what the rules do not need (tests turn it off to compare)


class ParseError(Exception):
    """LibCST could not parse a source the stdlib parser accepted."""


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


@dataclass(frozen=True)
class Prepared:
    """A file past the cheap tests: what LibCST will be given (plain data, picklable)."""

    path: Path
    text: str
    encoding: str
    reduced: str
    codes: tuple[str, ...]  # the rules that may find something (codes travel, functions not)


def prepare(
    path: Path, data: bytes, rules: Sequence[RuleEntry], hints: Hints = NO_HINTS
) -> Prepared | FileOutcome:
    """The cheap tests (text, decode, stdlib ast): a Prepared file, or its final outcome."""
    active = [rule for rule in rules if rule.prefilter(data)]
    if not active:
        return FileOutcome(path, skipped=True)
    try:
        source = decode(data)
    except DecodeError as error:
        return FileOutcome(path, error=f"cannot decode: {error}")
    try:
        reduced, checked = _precheck(source.text, active, hints)
    except Exception as error:  # a bug in a pre-check must not stop the run: report it
        return _internal(path, error)
    if not checked:
        return FileOutcome(path, skipped=True)
    return Prepared(path, source.text, source.encoding, reduced, tuple(r.code for r in checked))


def finish(
    prepared: Prepared,
    rules: Sequence[RuleEntry],
    mode: Mode,
    unsafe: bool,
    models: ModelsIndex,
) -> FileOutcome:
    """The LibCST part: run the rules, fix, re-check; never raises."""
    chosen = [rule for rule in rules if rule.code in prepared.codes]
    try:
        return _process_text(prepared, chosen, mode, unsafe, models)
    except Exception as error:  # a bug in a rule must not stop the run: report it
        return _internal(prepared.path, error)


def process(
    path: Path,
    data: bytes,
    rules: Sequence[RuleEntry],
    mode: Mode,
    unsafe: bool,
    models: ModelsIndex,
    hints: Hints = NO_HINTS,
) -> FileOutcome:
    """Run `rules` on one file's bytes; never raises."""
    prepared = prepare(path, data, rules, hints)
    if isinstance(prepared, FileOutcome):
        return prepared
    return finish(prepared, rules, mode, unsafe, models)


def _internal(path: Path, error: Exception) -> FileOutcome:
    message = f"internal error: {type(error).__name__}: {error}"
    return FileOutcome(path, error=message, internal=True)


def _precheck(
    text: str, rules: Sequence[RuleEntry], hints: Hints = NO_HINTS
) -> tuple[str, list[RuleEntry]]:
    """The reduced source the rules will see, and the rules that may find something.

    A file this Python's parser refuses may hold syntax of a newer Python (PEP 695 type
    parameters, PEP 701 f-strings, PEP 758 `except A, B:`), which LibCST reads: it is
    analysed whole, slower but right; a file LibCST refuses too is reported as unparseable.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return text, list(rules)
    needed: Needed = {}
    active = []
    for rule in rules:
        found = rule.precheck(tree, text, hints)
        if found is None:
            continue
        active.append(rule)
        for unit, names in found.items():
            old = needed.get(unit, frozenset())
            needed[unit] = None if old is None or names is None else old | names
    if not active or not REDUCE:
        return text, active
    from fe_gen.codemods.reduce import reduce_source  # only files past the pre-check

    return reduce_source(text, tree, needed), active


@dataclass
class _Round:
    """One analysis of a source: what the rules report, and the fixes we may apply."""

    located: list[Located]
    fixable: list[Finding]
    module: cst.Module


def _analyse(
    path: Path, text: str, full: str, rules: Sequence[RuleEntry], models: ModelsIndex, unsafe: bool
) -> _Round:
    """Run the rules on `text` (the reduced `full`); suppressions are read from `full`."""
    from fe_gen.codemods import analyse  # LibCST is imported only past the cheap tests
    from fe_gen.codemods.suppression import is_suppressed, suppressions

    module, located = analyse.run_rules(path, text, rules, models)
    table = suppressions(full)
    located = [f for f in located if not is_suppressed(f.finding.code, f.lines, table)]
    fixable = [f.finding for f in located if _applicable(f.finding, unsafe)]
    return _Round(located, fixable, module)


def _fix(
    path: Path,
    current: str,
    reduced: str,
    found: _Round,
    rules: Sequence[RuleEntry],
    models: ModelsIndex,
    unsafe: bool,
) -> tuple[str, list[Finding]]:
    """`current` with the fixes applied: made on the reduced source and carried over, or,
    when a change would touch a blanked line, made again on the full source."""
    from fe_gen.codemods import analyse
    from fe_gen.codemods.reduce import merge

    new_reduced, applied = analyse.apply_fixes(found.module, found.fixable)
    merged = merge(current, reduced, new_reduced)
    if merged is not None:
        return merged, applied
    full = _analyse(path, current, current, rules, models, unsafe)
    return analyse.apply_fixes(full.module, full.fixable)


def _process_text(
    prepared: Prepared,
    rules: Sequence[RuleEntry],
    mode: Mode,
    unsafe: bool,
    models: ModelsIndex,
) -> FileOutcome:
    path, text = prepared.path, prepared.text
    outcome = FileOutcome(path, old_text=text, new_text=text)
    current, reduced, active = text, prepared.reduced, list(rules)
    reported: list[Reported] = []
    for round_ in range(MAX_ROUNDS + 1):
        try:
            if round_:
                reduced, active = _precheck(current, rules)
            if not active:
                break
            found = _analyse(path, reduced, current, active, models, unsafe)
        except (SyntaxError, ValueError, ParseError) as error:
            if round_:
                # A bug of fe-gen's, not the file's: keep the file as it was.
                outcome.error = (
                    f"fe-gen's fix does not parse ({_syntax_message(error)}): the file is "
                    "left as it was; please report this with the lines of the findings"
                )
                outcome.findings, outcome.fixed, outcome.internal = reported, Counter(), True
            else:
                outcome.error = f"cannot parse: {_syntax_message(error)}"
            return outcome
        outcome.findings = [f.reported for f in found.located]
        if mode is Mode.CHECK or not found.fixable or round_ == MAX_ROUNDS:
            break
        new_code, applied = _fix(path, current, reduced, found, active, models, unsafe)
        if new_code == current:
            break
        outcome.fixed.update(finding.code for finding in applied)
        if not round_:
            reported = outcome.findings
        outcome.findings = []
        current = new_code
    if current != text:
        from fe_gen.codemods.tidy import tidy

        current = tidy(path, text, current)
    outcome.new_text = current
    if current != text:
        outcome.new_data = current.encode(prepared.encoding)
    return outcome


def _syntax_message(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"{error.msg} (line {error.lineno})"
    return str(error)
