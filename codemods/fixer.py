"""Apply the fixes of some findings to a module: edits by node identity, then imports.

Edits from different findings compose (each rebuilds the node it names from the already
updated node), but a finding whose nodes another finding already claimed waits for the
next round; the runner re-analyses the rewritten module until nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from fe_gen.codemods.analysis.model_decls import dotted
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
    """`from sqlalchemy import and_` added where a reader looks for it: beside the module's
    other imports of that package, else merged into an existing `from sqlalchemy import
    ...` or after the last import, as libcst's AddImportsVisitor does."""
    needed: dict[str, list[str]] = {}
    for module_name, name in dict.fromkeys(imports):
        needed.setdefault(module_name, []).append(name)
    placed = module
    rest: list[tuple[str, str]] = []
    for module_name, names in needed.items():
        inserted = (
            None
            if _imports_from(module, module_name)
            else _insert_beside(placed, module_name, names)
        )
        if inserted is None:
            rest += [(module_name, name) for name in names]
        else:
            placed = inserted
    if not rest:
        return placed
    # libcst.codemod costs ~0.6 s to import (libcst.matchers): only pay it when a fix needs it.
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    for module_name, name in rest:
        AddImportsVisitor.add_needed_import(context, module_name, name)
    return AddImportsVisitor(context).transform_module(placed)


def _top_level_imports(module: cst.Module) -> list[tuple[int, cst.Import | cst.ImportFrom]]:
    found = []
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import | cst.ImportFrom):
                    found.append((index, small))
    return found


def _from_module(node: cst.ImportFrom) -> str:
    """`a.b` of an absolute `from a.b import ...`; '' for a relative one."""
    return "" if node.relative or node.module is None else dotted(node.module)


def _imports_from(module: cst.Module, module_name: str) -> bool:
    """Whether `from module_name import ...` (names, not *) is at the top of the module."""
    return any(
        isinstance(node, cst.ImportFrom)
        and _from_module(node) == module_name
        and not isinstance(node.names, cst.ImportStar)
        for _, node in _top_level_imports(module)
    )


def _insert_beside(module: cst.Module, module_name: str, names: list[str]) -> cst.Module | None:
    """`module` with `from module_name import names` before the first `from package.sub
    import` of the same package (where isort puts it), else after its last import; None
    when the module imports nothing of that package."""
    package = module_name.partition(".")[0]
    anchors: list[tuple[int, bool]] = []  # (statement index, is `from package.sub import`)
    for index, node in _top_level_imports(module):
        if isinstance(node, cst.ImportFrom):
            source = _from_module(node)
            if source.partition(".")[0] == package:
                anchors.append((index, source > module_name))
        elif any(dotted(alias.name).partition(".")[0] == package for alias in node.names):
            anchors.append((index, False))
    if not anchors:
        return None
    statement = cst.parse_statement(f"from {module_name} import {', '.join(sorted(names))}\n")
    body = list(module.body)
    after = next((index for index, later in anchors if later), None)
    if after is None:
        body.insert(anchors[-1][0] + 1, statement)
    else:
        anchor = body[after]
        assert isinstance(anchor, cst.SimpleStatementLine)
        body[after] = anchor.with_changes(leading_lines=())
        body.insert(after, statement.with_changes(leading_lines=anchor.leading_lines))
    return module.with_changes(body=body)
