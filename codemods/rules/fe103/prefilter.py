"""FE103's cheap tests, run before any LibCST work: one on the bytes, one on the stdlib AST.

Both are supersets of what the rule reports. The text test wants a query call and a loop;
the AST test names the functions holding a `for` loop or a comprehension whose body reads
an attribute of its loop variable or calls something (a query per row), and the module
functions they call (a query may be built there).
"""

from __future__ import annotations

import ast

_QUERY_WORDS = (b"select(", b".query", b".execute(", b".scalars(", b".exec(", b".stream")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


_ROUTE_WORDS = (b"response_model", b"-> list[", b"-> List[", b"-> Sequence[")


def text_may_match(source: bytes) -> bool:
    """Whether the bytes show a query call, and a loop or a route's response schema."""
    if not any(word in source for word in _QUERY_WORDS):
        return False
    return b"for " in source or any(word in source for word in _ROUTE_WORDS)


def _route(unit: ast.AST) -> bool:
    """A function with a route decorator (`@router.get(...)`) and a response schema."""
    if not isinstance(unit, _FUNCTIONS):
        return False
    for decorator in unit.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr in _ROUTE_METHODS:
            keywords = {k.arg for k in decorator.keywords}  # type: ignore[union-attr]
            return "response_model" in keywords or unit.returns is not None
    return False


def _per_row(target: ast.expr, body: list[ast.AST]) -> bool:
    """Whether code run per row reads an attribute of the loop variable."""
    if not isinstance(target, ast.Name):
        return False
    for part in body:
        for node in ast.walk(part):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == target.id
            ):
                return True
    return False


def _loops(unit: ast.AST) -> bool:
    for node in ast.walk(unit):
        if isinstance(node, ast.For | ast.AsyncFor) and _per_row(node.target, list(node.body)):
            return True
        if isinstance(node, _COMPREHENSIONS):
            parts: list[ast.AST] = (
                [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            )
            generator = node.generators[0]
            parts += [*generator.ifs, *node.generators[1:]]
            if _per_row(generator.target, parts):
                return True
    return False


def candidates(tree: ast.Module, text: str) -> dict[str, frozenset[str] | None] | None:
    """Units (`f`, `Class.method`) that hold a loop reading its rows, or are routes with
    a response schema, kept whole, with the module functions they call; None if none."""
    functions = {s.name for s in tree.body if isinstance(s, _FUNCTIONS)}
    needed: dict[str, frozenset[str] | None] = {}
    for statement in tree.body:
        units: list[tuple[str, ast.AST]] = []
        if isinstance(statement, _FUNCTIONS):
            units.append((statement.name, statement))
        elif isinstance(statement, ast.ClassDef):
            for member in statement.body:
                if isinstance(member, _FUNCTIONS):
                    units.append((f"{statement.name}.{member.name}", member))
        for name, unit in units:
            if not _loops(unit) and not _route(unit):
                continue
            needed[name] = None
            for node in ast.walk(unit):
                func = node.func if isinstance(node, ast.Call) else None
                if isinstance(func, ast.Name) and func.id in functions:
                    needed[func.id] = None
    return needed or None
