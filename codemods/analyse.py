"""The LibCST half of a file's run: parse, resolve metadata, visit with the rules, locate.

It is handed the source as `reduce` left it (what no rule needs is blanked, every line
in its place), so parsing and metadata cost only what a finding could involve, and the
positions it reports are those of the real file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from fe_gen.codemods import fixer
from fe_gen.codemods.models_index import ModelsIndex
from fe_gen.codemods.rules import RuleEntry
from fe_gen.codemods.rules.base import Finding, RuleContext
from fe_gen.codemods.runner import ParseError, Reported


@dataclass(frozen=True)
class Located:
    """A finding with its place in the module and the lines a suppression may sit on."""

    finding: Finding
    reported: Reported
    lines: tuple[int, ...]


def run_rules(
    path: Path, text: str, rules: Sequence[RuleEntry], models: ModelsIndex
) -> tuple[cst.Module, list[Located]]:
    """Parse `text`, run `rules` over it, and locate what they report."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise ParseError(f"{error.message} (line {error.raw_line})") from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = RuleContext(path, models, module)
    visitors = [rule.load()(context) for rule in rules]
    wrapper.visit_batched(visitors)
    findings = [finding for visitor in visitors for finding in visitor.findings]
    if not findings:
        return module, []
    positions = wrapper.resolve(PositionProvider)
    return module, [_locate(path, finding, positions) for finding in findings]


def _locate(path: Path, finding: Finding, positions: Mapping[cst.CSTNode, CodeRange]) -> Located:
    span = positions[finding.node]
    lines = {span.start.line, *(positions[node].start.line for node in finding.extra_lines)}
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
