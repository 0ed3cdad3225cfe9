"""The LibCST half of a file's run: parse, resolve metadata, visit with the rules, locate.

Metadata (scopes, qualified names, parents, positions) is what costs: on a 400-line module
it takes several times the parse. So rules see a *reduced* module: the same top-level
statements, except that functions and classes the pre-check did not name are replaced by
stubs. The kept statements are the very node objects of the full module (LibCST nodes are
immutable and metadata is keyed by identity), so findings point into the full module and
fixes apply to it directly. Positions come out of the reduced module and are shifted back
by each statement's line in the full one, which the stdlib `ast` already knows.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from fe_gen.codemods import fixer
from fe_gen.codemods.models_index import ModelsIndex
from fe_gen.codemods.rules import RuleEntry
from fe_gen.codemods.rules.base import Finding, RuleContext
from fe_gen.codemods.runner import Reported
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

_STUB = cst.IndentedBlock([cst.SimpleStatementLine([cst.Expr(cst.Ellipsis())])])


class ParseError(Exception):
    """LibCST could not parse the file."""


@dataclass(frozen=True)
class Located:
    """A finding with its place in the full module and the lines a suppression may sit on."""

    finding: Finding
    reported: Reported
    lines: tuple[int, ...]


def _reduce(module: cst.Module, needed: frozenset[str]) -> cst.Module:
    if "*" in needed:
        return module
    body: list[cst.BaseStatement] = []
    for statement in module.body:
        if (
            isinstance(statement, cst.FunctionDef | cst.ClassDef)
            and statement.name.value not in needed
        ):
            body.append(statement.with_changes(body=_STUB, decorators=()))
        else:
            body.append(statement)
    return module.with_changes(body=body)


def _start_lines(module: cst.Module, tree: ast.Module) -> list[int]:
    """The line each top-level LibCST statement starts on (its first token, as `ast` says)."""
    starts: list[int] = []
    index = 0
    for statement in module.body:
        starts.append(tree.body[index].lineno if index < len(tree.body) else 0)
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return starts


class _Locator:
    def __init__(self, reduced: cst.Module, wrapper: MetadataWrapper, starts: list[int]) -> None:
        self._positions = wrapper.resolve(PositionProvider)
        self._spans: list[tuple[int, int, int]] = []
        for statement, start in zip(reduced.body, starts, strict=True):
            span = self._positions[statement]
            self._spans.append((span.start.line, span.end.line, start - span.start.line))

    def range(self, node: cst.CSTNode) -> CodeRange:
        span = self._positions[node]
        delta = next((d for lo, hi, d in self._spans if lo <= span.start.line <= hi), 0)
        return CodeRange(
            (span.start.line + delta, span.start.column), (span.end.line + delta, span.end.column)
        )


def run_rules(
    path: Path,
    text: str,
    tree: ast.Module,
    rules: Sequence[RuleEntry],
    needed: frozenset[str],
    models: ModelsIndex,
) -> tuple[cst.Module, list[Located]]:
    """Parse `text`, run `rules` over the parts `needed`, and locate what they report."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise ParseError(f"{error.message} (line {error.raw_line})") from None
    reduced = _reduce(module, needed)
    wrapper = MetadataWrapper(reduced, unsafe_skip_copy=True)
    context = RuleContext(path, models, module)
    visitors = [rule.load()(context) for rule in rules]
    wrapper.visit_batched(visitors)
    findings = [finding for visitor in visitors for finding in visitor.findings]
    if not findings:
        return module, []
    locator = _Locator(reduced, wrapper, _start_lines(module, tree))
    return module, [_locate(path, finding, locator) for finding in findings]


def _locate(path: Path, finding: Finding, locator: _Locator) -> Located:
    span = locator.range(finding.node)
    lines = {span.start.line, *(locator.range(node).start.line for node in finding.extra_lines)}
    reported = Reported(
        path=path,
        line=span.start.line,
        column=span.start.column + 1,
        end_line=span.end.line,
        end_column=span.end.column + 1,
        code=finding.code,
        name=finding.name,
        message=finding.message,
        fix=finding.fix.applicability.value if finding.fix is not None else None,
    )
    return Located(finding, reported, tuple(sorted(lines)))


def apply_fixes(module: cst.Module, findings: Sequence[Finding]) -> tuple[str, list[Finding]]:
    """The code of `module` with the non-conflicting fixes among `findings` applied."""
    chosen = fixer.choose(findings)
    return fixer.apply(module, chosen).code, chosen
