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
        rebuilds = self._edits.get(id(original_node), ())
        node = updated_node
        for rebuild in rebuilds:
            node = rebuild(node)
        if rebuilds and _needs_brackets(node) and not _needs_brackets(original_node):
            # A part lifted out of the brackets its line breaks relied on, as the chain
            # `session.execute(stmt)\n.scalars()\n.all()` out of `[u for u in ... if ...]`.
            assert isinstance(node, cst.BaseExpression)
            return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return node


def _needs_brackets(node: cst.CSTNode) -> bool:
    """Whether `node` is an expression that is not valid Python on its own line."""
    if not isinstance(node, cst.BaseExpression) or node.lpar:
        return False
    code = cst.Module([]).code_for_node(node)
    if "\n" not in code:
        return False
    try:
        cst.parse_expression(code)
    except cst.ParserSyntaxError:
        return True
    return False


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
            _merge_into(placed, module_name, names)
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


def _third_party_anchors(module: cst.Module, module_name: str) -> list[tuple[int, bool]]:
    """The first group of imports (lines with no blank line between) that imports
    something neither of the standard library nor relative: the third-party section, where
    isort puts the new import (before the first `from` of a module that sorts after it)."""
    import sys

    groups: list[list[tuple[int, cst.Import | cst.ImportFrom]]] = []
    previous = -2
    for index, node in _top_level_imports(module):
        statement = module.body[index]
        assert isinstance(statement, cst.SimpleStatementLine)
        if index != previous + 1 or statement.leading_lines:
            groups.append([])
        if index != previous:
            groups[-1].append((index, node))
        previous = index
    for group in groups:
        tops = [_top(node) for _, node in group]
        if any(top and top not in sys.stdlib_module_names for top in tops):
            return [
                (index, isinstance(node, cst.ImportFrom) and _from_module(node) > module_name)
                for index, node in group
            ]
    return []


def _top(node: cst.Import | cst.ImportFrom) -> str:
    """The top-level package an import names ('' for a relative one, or several)."""
    if isinstance(node, cst.ImportFrom):
        return _from_module(node).partition(".")[0]
    names = {dotted(alias.name).partition(".")[0] for alias in node.names}
    return names.pop() if len(names) == 1 else ""


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
        anchors = _third_party_anchors(module, module_name)
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


def _member_key(name: str) -> tuple[int, str, str]:
    """isort's order-by-type, as ruff has it: CONSTANTS, then Classes, then the rest."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return (kind, name.lower(), name)


def _merge_into(module: cst.Module, module_name: str, names: list[str]) -> cst.Module | None:
    """`names` added to the first `from module_name import ...`, each before the first name
    that sorts after it (a list that was sorted stays sorted), in the list's own layout."""
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and _from_module(small) == module_name
                and not isinstance(small.names, cst.ImportStar)
            ):
                merged = small.with_changes(names=_with_names(list(small.names), names))
                body = [merged if part is small else part for part in statement.body]
                new_body = list(module.body)
                new_body[index] = statement.with_changes(body=body)
                return module.with_changes(body=new_body)
    return None


def _with_names(aliases: list[cst.ImportAlias], names: list[str]) -> list[cst.ImportAlias]:
    present = {dotted(alias.name) for alias in aliases if alias.asname is None}
    separator = next(
        (a.comma for a in aliases if isinstance(a.comma, cst.Comma)),
        cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
    )
    for name in sorted(set(names) - present, key=_member_key):
        key = _member_key(name)
        at = next(
            (i for i, a in enumerate(aliases) if _member_key(dotted(a.name)) > key), len(aliases)
        )
        if at == len(aliases):  # the new last name takes the old last one's ending
            last = aliases[-1]
            aliases[-1] = last.with_changes(comma=separator)
            aliases.append(cst.ImportAlias(name=cst.Name(name), comma=last.comma))
        else:
            aliases.insert(at, cst.ImportAlias(name=cst.Name(name), comma=separator))
    return aliases
