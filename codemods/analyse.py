"""The LibCST half of a file's run: parse, resolve metadata, visit with the rules, locate.

It is handed the source as `reduce` left it (what no rule needs is blanked, every line
in its place), so parsing and metadata cost only what a finding could involve, and the
positions it reports are those of the real file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider, ScopeProvider

from fe_gen.codemods import fixer
from fe_gen.codemods.fastvisit import read_only_visits
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
    with read_only_visits(), _visitor_methods_listed_once():
        _resolve_scopes(wrapper)
        wrapper.visit_batched(visitors)
    findings = [finding for visitor in visitors for finding in visitor.findings]
    if not findings:
        return module, []
    positions = wrapper.resolve(PositionProvider)
    return module, [_locate(path, finding, positions) for finding in findings]


def _resolve_scopes(wrapper: MetadataWrapper) -> None:
    """Resolve ScopeProvider as LibCST would, minus one walk of the whole tree.

    ScopeProvider is a batchable provider whose one method, `visit_Module`, runs a visitor
    of its own over the module; resolved the usual way, LibCST then walks (and rebuilds)
    every node of the tree once more for it, calling nothing: about a fifth of the
    metadata's cost. The same provider, its dependencies resolved, is run here on the
    module alone and its answer stored where `resolve` would have put it.
    """
    provider = ScopeProvider()
    with provider.resolve(wrapper):
        provider.visit_Module(wrapper.module)
    wrapper._metadata[ScopeProvider] = MappingProxyType(dict(provider._computed))


VisitorMethods = Mapping[str, Callable[[cst.CSTNode], None]]
_GET_VISITORS = cst.BatchableCSTVisitor.get_visitors
_VISITOR_NAMES: dict[type, tuple[str, ...]] = {}  # a cache: visitor class -> method names


def _visitor_methods(self: cst.BatchableCSTVisitor) -> VisitorMethods:
    """What `BatchableCSTVisitor.get_visitors` answers, from a list of names made once per
    class: LibCST runs `inspect.getmembers` over the thousands of stub methods of a
    visitor class, for each of the three visitors of every file (5 ms each). An instance
    with methods of its own, or a class that lists its attributes itself, gets LibCST's."""
    kind = type(self)
    own = getattr(self, "__dict__", {})
    if kind.__dir__ is not object.__dir__ or any(k.startswith(("visit_", "leave_")) for k in own):
        return _GET_VISITORS(self)
    names = _VISITOR_NAMES.get(kind)
    if names is None:
        names = _VISITOR_NAMES[kind] = tuple(_GET_VISITORS(self))
    return {name: getattr(self, name) for name in names}


@contextmanager
def _visitor_methods_listed_once() -> Iterator[None]:
    """`_visitor_methods` in place of LibCST's, while fe-gen's own visit runs."""
    cst.BatchableCSTVisitor.get_visitors = _visitor_methods  # type: ignore[method-assign]
    try:
        yield
    finally:
        cst.BatchableCSTVisitor.get_visitors = _GET_VISITORS  # type: ignore[method-assign]


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
