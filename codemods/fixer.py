"""Apply the fixes of some findings to a module: edits by node identity, then imports.

Edits from different findings compose (each rebuilds the node it names from the already
updated node), but a finding whose nodes another finding already claimed waits for the
next round; the runner re-analyses the rewritten module until nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from fe_gen.codemods.rules.base import Finding


class _Applier(cst.CSTTransformer):
    def __init__(self, edits: dict[int, list[Callable[[cst.CSTNode], cst.CSTNode]]]) -> None:
        super().__init__()
        self._edits = edits

    def on_leave(  # type: ignore[override]  # rebuilds may change a node's type
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode:
        node = updated_node
        for rebuild in self._edits.get(id(original_node), ()):
            node = rebuild(node)
        return node


def choose(findings: Sequence[Finding]) -> list[Finding]:
    """The findings whose fixes touch disjoint nodes, in order."""
    claimed: set[int] = set()
    chosen: list[Finding] = []
    for finding in findings:
        if finding.fix is None:
            continue
        ids = {id(edit.node) for edit in finding.fix.edits}
        if ids & claimed:
            continue
        claimed |= ids
        chosen.append(finding)
    return chosen


def apply(module: cst.Module, findings: Sequence[Finding]) -> cst.Module:
    """`module` with the fixes of `findings` applied (they must come from `choose`)."""
    edits: dict[int, list[Callable[[cst.CSTNode], cst.CSTNode]]] = {}
    imports: list[tuple[str, str]] = []
    for finding in findings:
        assert finding.fix is not None
        for edit in finding.fix.edits:
            edits.setdefault(id(edit.node), []).append(edit.rebuild)
        imports.extend(finding.fix.imports)
    updated = module.visit(_Applier(edits))
    assert isinstance(updated, cst.Module)
    return _add_imports(updated, imports) if imports else updated


def _add_imports(module: cst.Module, imports: Sequence[tuple[str, str]]) -> cst.Module:
    # libcst.codemod costs ~0.6 s to import (libcst.matchers): only pay it when a fix needs it.
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    for module_name, name in dict.fromkeys(imports):
        AddImportsVisitor.add_needed_import(context, module_name, name)
    return AddImportsVisitor(context).transform_module(module)
