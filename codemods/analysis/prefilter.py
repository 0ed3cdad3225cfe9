"""FE101's cheap tests, run before any LibCST work: one on the bytes, one on the stdlib AST.

Both are supersets of what the rule reports (a file they reject cannot hold a finding);
they only have to be cheap. The text test wants a query call and some filtering construct;
the AST test wants a comprehension / `filter(lambda)` / `for ... if` whose condition reads
an attribute of the row and whose iterable leads (through local assignments) to a query
call or to a call of a function of the module. It names the top-level functions and
classes to analyse, plus the module functions they call (a query may be built there).
"""

from __future__ import annotations

import ast
import re

QUERY_TEXT = re.compile(
    rb"\.(?:query|execute|scalars|exec|stream|stream_scalars)\b|\bselect\(|\.all\(",
)
FILTER_TEXT = re.compile(
    rb"\.append\(|\bfilter\(\s*lambda|\bfor\b[^\n]*\bif\b"
    rb"|^[ \t]*if\b(?![^\n]*:[ \t]*(?:#[^\n]*)?\r?$)",
    re.MULTILINE,
)
_QUERY_METHODS = {
    "all", "fetchall", "scalars", "execute", "exec", "query", "unique", "stream", "stream_scalars",
}  # fmt: skip
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def text_may_match(source: bytes) -> bool:
    return QUERY_TEXT.search(source) is not None and FILTER_TEXT.search(source) is not None


def _site(node: ast.AST) -> tuple[str, ast.expr, list[ast.expr]] | None:
    """(row variable, iterable, conditions) of a filtering construct, loosely."""
    if isinstance(node, _COMPREHENSIONS) and len(node.generators) == 1:
        generator = node.generators[0]
        if generator.ifs and isinstance(generator.target, ast.Name):
            return generator.target.id, generator.iter, generator.ifs
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "filter"
        and len(node.args) == 2
        and isinstance(node.args[0], ast.Lambda)
        and len(node.args[0].args.args) == 1
    ):
        return node.args[0].args.args[0].arg, node.args[1], [node.args[0].body]
    if (
        isinstance(node, ast.For | ast.AsyncFor)
        and isinstance(node.target, ast.Name)
        and node.body
        and isinstance(node.body[0], ast.If)
    ):
        return node.target.id, node.iter, [node.body[0].test]
    return None


def _reads_row(row: str, conditions: list[ast.expr]) -> bool:
    for condition in conditions:
        for node in ast.walk(condition):
            if (
                isinstance(node, ast.Attribute | ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == row
            ):
                return True
    return False


class _Scope:
    """One function (or the module's own statements): its assignments and calls."""

    def __init__(self, body: list[ast.stmt], functions: set[str]) -> None:
        self.values: dict[str, list[ast.expr]] = {}
        self.calls: set[str] = set()
        self.nodes: list[ast.AST] = []
        for statement in body:
            for node in ast.walk(statement):
                self.nodes.append(node)
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, ast.Name):
                            self.values.setdefault(target.id, []).append(node.value)
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in functions
                ):
                    self.calls.add(node.func.id)
        self.functions = functions

    def queryish(self, expr: ast.expr, depth: int = 0) -> bool:
        if depth > 6:
            return False
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in _QUERY_METHODS:
                    return True
                if isinstance(func, ast.Name) and (
                    func.id == "select" or func.id in self.functions
                ):
                    return True
            if isinstance(node, ast.Attribute) and node.attr == "query":
                return True
            if isinstance(node, ast.Name) and any(
                self.queryish(value, depth + 1) for value in self.values.get(node.id, ())
            ):
                return True
        return False

    def has_site(self) -> bool:
        for node in self.nodes:
            found = _site(node)
            if found is not None and _reads_row(found[0], found[2]) and self.queryish(found[1]):
                return True
        return False


def candidates(tree: ast.Module) -> frozenset[str] | None:
    """Top-level names to analyse (see the module docstring); None when there is nothing."""
    functions = {s.name for s in tree.body if isinstance(s, _FUNCTIONS)}
    needed: set[str] = set()
    loose = [s for s in tree.body if not isinstance(s, (*_FUNCTIONS, ast.ClassDef))]
    if _Scope(loose, functions).has_site():
        needed.add("<module>")
    for statement in tree.body:
        if isinstance(statement, (*_FUNCTIONS, ast.ClassDef)):
            scope = _Scope([statement], functions)
            if scope.has_site():
                needed |= {statement.name, *scope.calls}
    return frozenset(needed) if needed else None
