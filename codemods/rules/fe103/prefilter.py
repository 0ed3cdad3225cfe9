"""FE102's and FE103's cheap tests, run before any LibCST work: one on the bytes, one on
the stdlib AST.

Both are supersets of what the rules report. The text test wants a query call and a loop;
the AST test names the functions holding a `for` loop or a comprehension over the rows of
a query (as far as the AST shows one) whose body does what the rule looks for, and the
module functions they call (a query may be built there):

- FE103: it reads a relationship of the row (any attribute when the run does not know
  the project's relationships), runs something that looks like a query (`.get(Model, ...)`,
  `.execute(...)`, `Model.query`...), or hands the session that ran the query to a call
  that also reads the row; or the function is a route returning rows with a response schema;
- FE102: the query is built in the module, every use of the row reads an attribute, and no
  code it cannot see is handed one.

The loops of a module are found once for both rules (the engine asks with the same tree).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from fe_gen.codemods.fileio import split_lines
from fe_gen.codemods.hints import NO_HINTS, Hints

# a query call, or a session handed to a function of another module that builds one
_QUERY_WORDS: tuple[bytes, ...] = (b"select(", b".query", b".execute(", b".scalars(")
_QUERY_WORDS += (b".exec(", b".stream", b"session", b".all()")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)  # where a row read waits
_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_ROUTE_WORDS = (b"response_model", b"-> list[", b"-> List[", b"-> Sequence[")

_RUNS = {"query", "scalars", "execute", "exec", "all", "fetchall", "stream", "stream_scalars"}
_RUNS |= {"filter", "filter_by", "where", "order_by", "join", "options", "limit"}  # a chain
_EXECUTORS = {"execute", "scalars", "exec", "stream", "stream_scalars", "query"}
_PER_ROW = {"execute", "scalars", "scalar", "exec", "stream", "stream_scalars", "query"}
_GETS = {"get", "get_one"}
_PURE_METHODS = {"append", "add", "extend", "update", "setdefault", "get", "format", "join"}
_PURE_METHODS |= {"lower", "upper", "strip", "isoformat", "startswith", "endswith", "split"}
_BUILTINS = frozenset(dir(builtins))


def text_may_match(source: bytes) -> bool:
    """Whether the bytes show a query call, and a loop or a route's response schema."""
    if not any(word in source for word in _QUERY_WORDS):
        return False
    return b"for " in source or any(word in source for word in _ROUTE_WORDS)


_UNIT_TYPES = frozenset({ast.Assign, ast.AnnAssign, ast.For, ast.AsyncFor, *_COMPREHENSIONS})
_CONTEXTS = (ast.Load, ast.Store, ast.Del)


def _walk(root: ast.AST) -> list[ast.AST]:
    """The nodes under `root` in `ast.walk`'s order, without the Load/Store markers and
    without a generator per node: every function of a file that reaches the pre-check
    is walked, and `ast.walk` was half the time of the `ast` phase."""
    found = [root]
    index = 0
    while index < len(found):
        node = found[index]
        index += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                found.extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST) and not isinstance(value, _CONTEXTS):
                found.append(value)
    return found


@dataclass
class _Loop:
    target: str
    iterable: ast.expr
    parts: list[ast.AST]


@dataclass
class _Unit:
    """What one function holds, from one walk: its loops and what its names are assigned."""

    node: ast.AST
    assigned: dict[str, list[ast.expr]] = field(default_factory=dict)
    loops: list[_Loop] = field(default_factory=list)

    def __post_init__(self) -> None:
        for node in _walk(self.node):
            if type(node) not in _UNIT_TYPES:  # most nodes: one set lookup
                continue
            if isinstance(node, ast.Assign | ast.AnnAssign):
                self._bind(node)
            elif isinstance(node, ast.For | ast.AsyncFor):
                if isinstance(node.target, ast.Name):
                    self.loops.append(_Loop(node.target.id, node.iter, list(node.body)))
            elif isinstance(node, _COMPREHENSIONS):
                self._comprehension(node)

    def _bind(self, node: ast.Assign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and node.value is not None:
                self.assigned.setdefault(target.id, []).append(node.value)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        generator = node.generators[0]
        if not isinstance(generator.target, ast.Name):
            return
        parts: list[ast.AST] = (
            [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        )
        parts += [*generator.ifs, *node.generators[1:]]
        self.loops.append(_Loop(generator.target.id, generator.iter, parts))


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a chain of names, None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def _origins(iterable: ast.expr, assigned: dict[str, list[ast.expr]]) -> list[ast.expr]:
    """The iterable and, through names, what they are assigned (a few steps deep)."""
    found: list[ast.expr] = []
    todo, seen = [iterable], set()
    while todo and len(found) < 32:
        expr = todo.pop()
        found.append(expr)
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.id not in seen:
                seen.add(node.id)
                todo.extend(assigned.get(node.id, []))
    return found


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


def _receivers(loop: _Loop, unit: _Unit) -> set[str]:
    """The code of what ran the loop's query (`db_session` in `db_session.execute(...)`)."""
    found = set()
    for origin in _origins(loop.iterable, unit.assigned):
        for node in ast.walk(origin):
            func = node.func if isinstance(node, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr in _EXECUTORS:
                receiver = _dotted(func.value)
                if receiver is not None:
                    found.add(receiver)
    return found


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _queries(call: ast.Call) -> bool:
    """Whether a call looks like it runs a query: `x.get(Model, ...)`, `x.execute(stmt)`,
    `x.query(...)`; a mapped class is taken to be named in CapWords."""
    func = call.func
    if not isinstance(func, ast.Attribute) or not call.args:
        return False
    first = call.args[0]
    if func.attr in _PER_ROW:
        return not isinstance(first, ast.Starred)
    if func.attr in _GETS:
        name = _dotted(first)
        return name is not None and name.rpartition(".")[2][:1].isupper()
    return False


def _n_plus_one(loop: _Loop, unit: _Unit, hints: Hints) -> bool:
    """FE103: the body reads a relationship of the row, queries, or hands the session on."""
    relationships = hints.relationships
    receivers: set[str] | None = None
    for part in loop.parts:
        for node in ast.walk(part):
            if isinstance(node, ast.Attribute):
                if isinstance(node.value, ast.Name) and node.value.id == loop.target:
                    if relationships is None or node.attr in relationships:
                        return True
                elif node.attr == "query" and _dotted(node.value) is not None:
                    return True  # `Model.query...`
            elif isinstance(node, ast.Call):
                if _queries(node):
                    return True
                if receivers is None:
                    receivers = _receivers(loop, unit)
                values = [*node.args, *(k.value for k in node.keywords)]
                if any(_dotted(v) in receivers for v in values) and _mentions(node, loop.target):
                    return True
    return False


def _built_here(loop: _Loop, unit: _Unit, functions: set[str]) -> bool:
    """Whether the rows' query is built in this module, as FE102 wants it (`select(...)`,
    `session.query(...)`, `Model.query`, or a call to a module function that may build
    one), not by code of another module handed the session."""
    for origin in _origins(loop.iterable, unit.assigned):
        for node in ast.walk(origin):
            if isinstance(node, ast.Attribute) and node.attr == "query":
                return True
            func = node.func if isinstance(node, ast.Call) else None
            if isinstance(func, ast.Name) and (func.id == "select" or func.id in functions):
                return True
    return False


def _known_call(call: ast.Call) -> bool:
    """A call that cannot look an object up (a builtin, a class, a container's method)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr in _PURE_METHODS or not any(
            isinstance(n, ast.Name) for n in ast.walk(func.value)
        )
    return isinstance(func, ast.Name) and (func.id in _BUILTINS or func.id[:1].isupper())


def _columns_only(loop: _Loop, handable: frozenset[str] = frozenset()) -> bool:
    """FE102: each use of the row reads an attribute (not called, not assigned) or hands
    the row whole to a function of the module or one it imports by name (`describe(row)`,
    which the rule follows), no code fe-gen cannot see is handed anything read from it."""
    read = False
    handed = 0
    for part in loop.parts:
        for node in ast.walk(part):
            if isinstance(node, _SCOPES) and _mentions(node, loop.target):
                return False
            if isinstance(node, ast.Call):
                if _known_call(node):
                    continue
                receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
                if isinstance(receiver, ast.Name) and receiver.id == loop.target:
                    return False  # `row.method()`
                values = [*node.args, *(k.value for k in node.keywords)]
                whole = [v for v in values if isinstance(v, ast.Name) and v.id == loop.target]
                if whole and isinstance(node.func, ast.Name) and node.func.id in handable:
                    handed += len(whole)
                    values = [v for v in values if v not in whole]
                if any(_mentions(v, loop.target) for v in values):
                    return False
            elif _reads_row(node, loop.target):
                if not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                    return False
                read = True
    return (read or handed > 0) and _plain_reads(loop, handed)


def _reads_row(node: ast.AST, row: str) -> bool:
    """Whether `node` is `row.attr`."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == row
    )


def _plain_reads(loop: _Loop, handed: int = 0) -> bool:
    """Whether every occurrence of the row's name is `row.attr`, but the `handed` ones."""
    attributes = 0
    names = 0
    for part in loop.parts:
        for node in ast.walk(part):
            if isinstance(node, ast.Name) and node.id == loop.target:
                names += 1
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                attributes += node.value.id == loop.target
    return names == attributes + handed


def _route(unit: ast.AST, assigned: dict[str, list[ast.expr]]) -> list[ast.expr]:
    """What a route (a function with a decorator `@router.get(...)` and a response schema)
    returns of a query it runs; empty for any other function."""
    if not isinstance(unit, _FUNCTIONS):
        return []
    for decorator in unit.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        func = decorator.func
        if isinstance(func, ast.Attribute) and func.attr in _ROUTE_METHODS:
            keywords = {k.arg for k in decorator.keywords}
            if "response_model" not in keywords and unit.returns is None:
                return []
            returns = [n.value for n in ast.walk(unit) if isinstance(n, ast.Return)]
            return [v for v in returns if v and _from_database(v, assigned, handed=False)]
    return []


def _units(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """Module functions and methods: (`f` or `Class.method`, node)."""
    for statement in tree.body:
        if isinstance(statement, _FUNCTIONS):
            yield statement.name, statement
        elif isinstance(statement, ast.ClassDef):
            for member in statement.body:
                if isinstance(member, _FUNCTIONS):
                    yield f"{statement.name}.{member.name}", member


# unit name -> for FE102 and for FE103: None (nothing to find), or the module functions the
# rows' queries call (where a query may be built, which the rules follow)
Verdicts = dict[str, tuple[frozenset[str] | None, frozenset[str] | None]]
_LAST: list[tuple[ast.Module, Hints, Verdicts]] = []  # one module's answer


def _verdicts(tree: ast.Module, hints: Hints, text: str) -> Verdicts:
    """What FE102 and FE103 may find in each unit worth keeping; kept for the last tree
    asked about, which both rules ask about in turn."""
    if _LAST and _LAST[0][0] is tree and _LAST[0][1] == hints:
        return _LAST[0][2]
    found: Verdicts = {}
    functions = {s.name for s in tree.body if isinstance(s, _FUNCTIONS)}
    handable = frozenset(functions) | _imported_names(tree)
    starts = _line_starts(text)
    for name, node in _units(tree):
        if not _may_hold(node, text, starts):
            continue
        unit = _Unit(node)
        loops = [loop for loop in unit.loops if _from_database(loop.iterable, unit.assigned)]
        over = [lp for lp in loops if _columns_only(lp, handable)]
        over = [lp for lp in over if _built_here(lp, unit, functions)]
        per_row = [lp.iterable for lp in loops if _n_plus_one(lp, unit, hints)]
        per_row += _route(node, unit.assigned)
        if over or per_row:
            found[name] = (
                _called([lp.iterable for lp in over], unit, functions) if over else None,
                _called(per_row, unit, functions) if per_row else None,
            )
    _LAST[:] = [(tree, hints, found)]
    return found


def _line_starts(text: str) -> list[int]:
    """Where each line of `text` starts (as `ast` counts lines), and where it ends."""
    return list(accumulate(map(len, split_lines(text)), initial=0))


def _may_hold(node: ast.AST, text: str, starts: list[int]) -> bool:
    """Whether a unit may hold a loop or be a route: its text (decorators included) shows
    `for`, or one of its decorators is `@x.get(...)` & co. A unit with neither has no
    verdict, and walking it was most of the time of this pre-check."""
    decorators = getattr(node, "decorator_list", [])
    for decorator in decorators:
        func = decorator.func if isinstance(decorator, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr in _ROUTE_METHODS:
            return True
    first = min([getattr(node, "lineno", 1), *(d.lineno for d in decorators)])
    last = getattr(node, "end_lineno", None) or len(starts) - 1
    count = len(starts) - 1
    return text.find("for", starts[min(first - 1, count)], starts[min(last, count)]) >= 0


def _imported_names(tree: ast.Module) -> frozenset[str]:
    """Names the module imports with `from ... import name` (functions FE102 may follow)."""
    return frozenset(
        alias.asname or alias.name
        for statement in tree.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    )


def _called(origins: list[ast.expr], unit: _Unit, functions: set[str]) -> frozenset[str]:
    """The module functions called where the rows come from."""
    called = set()
    for iterable in origins:
        for origin in _origins(iterable, unit.assigned):
            for node in ast.walk(origin):
                func = node.func if isinstance(node, ast.Call) else None
                if isinstance(func, ast.Name) and func.id in functions:
                    called.add(func.id)
    return frozenset(called)


def _needed(
    tree: ast.Module, text: str, hints: Hints, which: int
) -> dict[str, frozenset[str] | None] | None:
    if _migration(tree):
        return None
    needed: dict[str, frozenset[str] | None] = {}
    for name, verdict in _verdicts(tree, hints, text).items():
        called = verdict[which]
        if called is None:
            continue
        needed[name] = None
        for function in called:
            needed[function] = None
    return needed or None


def over_fetching(
    tree: ast.Module, text: str, hints: Hints = NO_HINTS
) -> dict[str, frozenset[str] | None] | None:
    """FE102's units (`f`, `Class.method`), kept whole with the module functions they
    call; None if none."""
    return _needed(tree, text, hints, 0)


def candidates(
    tree: ast.Module, text: str, hints: Hints = NO_HINTS
) -> dict[str, frozenset[str] | None] | None:
    """FE103's units (`f`, `Class.method`): a loop reading its rows or a route with a
    response schema, kept whole with the module functions they call; None if none."""
    return _needed(tree, text, hints, 1)


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
