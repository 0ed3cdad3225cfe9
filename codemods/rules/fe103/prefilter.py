"""FE103's cheap tests, run before any LibCST work: one on the bytes, one on the stdlib AST.

Both are supersets of what the rule reports. The text test wants a query call and a loop;
the AST test names the functions holding a `for` loop or a comprehension whose body reads
an attribute of its loop variable or calls something (a query per row), and the module
functions they call (a query may be built there).
"""

from __future__ import annotations

import ast

# a query call, or a session handed to a function of another module that builds one
_QUERY_WORDS: tuple[bytes, ...] = (b"select(", b".query", b".execute(", b".scalars(")
_QUERY_WORDS += (b".exec(", b".stream", b"session", b".all()")
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
    """A function with a route decorator (`@router.get(...)`) and a response schema that
    returns the result of a query it runs."""
    if not isinstance(unit, _FUNCTIONS):
        return False
    for decorator in unit.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        func = decorator.func
        if isinstance(func, ast.Attribute) and func.attr in _ROUTE_METHODS:
            keywords = {k.arg for k in decorator.keywords}
            if "response_model" not in keywords and unit.returns is None:
                return False
            assigned = _assigned(unit)  # rows of a query the route runs itself
            returns = [n.value for n in ast.walk(unit) if isinstance(n, ast.Return)]
            return any(_from_database(v, assigned, handed=False) for v in returns if v)
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


_RUNS = {"query", "scalars", "execute", "exec", "all", "fetchall", "stream", "stream_scalars"}
_RUNS |= {"filter", "filter_by", "where", "order_by", "join", "options", "limit"}  # a chain


def _from_database(
    iterable: ast.expr, assigned: dict[str, list[ast.expr]], handed: bool = True
) -> bool:
    """Whether a loop's iterable, or what its name is assigned, shows a query call, or a
    call handed a session (a function of another module that builds a query)."""
    origins = (
        [iterable, *assigned.get(iterable.id, [])] if isinstance(iterable, ast.Name) else [iterable]
    )
    for origin in origins:
        for node in ast.walk(origin):
            if isinstance(node, ast.Attribute) and node.attr == "query":  # Model.query
                return True
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _RUNS:
                return True
            if isinstance(func, ast.Name) and func.id == "select":
                return True
            values = [*node.args, *(k.value for k in node.keywords)] if handed else []
            if any(isinstance(v, ast.Name) and ("session" in v.id or v.id == "db") for v in values):
                return True
    return False


def _assigned(unit: ast.AST) -> dict[str, list[ast.expr]]:
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(unit):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                assigned.setdefault(target.id, []).append(node.value)  # type: ignore[attr-defined]
    return assigned


def _loops(unit: ast.AST) -> bool:
    assigned = _assigned(unit)
    for node in ast.walk(unit):
        loop = isinstance(node, ast.For | ast.AsyncFor)
        if loop and _per_row(node.target, list(node.body)) and _from_database(node.iter, assigned):  # type: ignore[attr-defined]
            return True
        if isinstance(node, _COMPREHENSIONS):
            parts: list[ast.AST] = (
                [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            )
            generator = node.generators[0]
            parts += [*generator.ifs, *node.generators[1:]]
            if _per_row(generator.target, parts) and _from_database(generator.iter, assigned):
                return True
    return False


def candidates(tree: ast.Module, text: str) -> dict[str, frozenset[str] | None] | None:
    """Units (`f`, `Class.method`) that hold a loop reading its rows, or are routes with
    a response schema, kept whole, with the module functions they call; None if none."""
    if _migration(tree):
        return None
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


def _migration(tree: ast.Module) -> bool:
    """An Alembic revision (`revision = ...`, `down_revision = ...`), which the rules skip."""
    names = {
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
        if isinstance(target, ast.Name)
    }
    return {"revision", "down_revision"} <= names
