"""FE101's cheap tests, run before any LibCST work: one on the bytes, one on the stdlib AST.

Both are supersets of what the rule reports (a file they reject cannot hold a finding);
they only have to be cheap, and the AST test also has to be sharp, because every function
it names costs a LibCST parse with metadata (about 2 ms a line). The text test wants a
query call and a filtering construct. The AST test mirrors the rule's shapes: a
comprehension, `filter(lambda)` or `for ... if ...: x.append(...)` loop whose condition
reads `row.attr` and whose iterable leads, through local assignments, to a query call
(`select(`, `.query(`, `.execute(stmt)`, `.scalars(stmt)`, `Model.query`) or to a
function of the module; and not inside a loop that the rows were fetched before.
It names the functions to analyse (`f`, `Class.method`) and the module functions they call.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import AnyStr

from fe_gen.codemods.fileio import split_lines
from fe_gen.codemods.hints import NO_HINTS, Hints

_QUERY_WORDS = (
    *(b"select(", b".query", b".execute(", b".scalars(", b".exec(", b".stream"),
    b").all()",  # a query returned by a function, maybe of another module
)
# The shapes below are searched for by their first word: a pattern that starts with `\b`
# or `^` makes `re` try every position of the text, one that starts with a literal lets it
# jump between the literal's occurrences (20 times faster on a real tree). `_bounded` then
# checks the word boundary by hand, and `_line_start` looks for a line start as a newline.
_IF_OPEN = r"[ \t]*if\b(?![^\n]*:[ \t]*(?:#[^\n]*)?\r?$)"  # an `if` line without its colon
# `for ... if` on one line, such an `if` line, or `filter(lambda`: a comprehension's
# shapes (or an `if` statement whose condition goes on: the AST tells them apart)
_FOR_IF = re.compile(rb"for\b[^\n]*\bif\b")
_OPEN_IF = (re.compile(b"^" + _IF_OPEN.encode(), re.M), re.compile(b"\n" + _IF_OPEN.encode(), re.M))
_FILTER_LAMBDA = re.compile(rb"filter\(\s*lambda")
# the loop shape (with `.append(`): a `for` header followed by an `if` line, or a header
# continued on the next line
_LOOP_IF = re.compile(rb"for\b[^\n]*:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*if\b")
_FOR_OPEN = rb"[ \t]*for\b[^\n]*[(\[{,\\][ \t]*\r?$"
_OPEN_FOR = (re.compile(b"^" + _FOR_OPEN, re.M), re.compile(b"\n" + _FOR_OPEN, re.M))
# the same shapes in a unit's text (str: `\b` and `\s` as Unicode has them), plus an `if`
# right after a colon (the loop shape without `.append(`)
_UNIT_FOR_IF = re.compile(r"for\b[^\n]*\bif\b")
_UNIT_OPEN_IF = (re.compile("^" + _IF_OPEN, re.M), re.compile("\n" + _IF_OPEN, re.M))
_UNIT_COLON_IF = re.compile(r":[ \t]*(?:#[^\n]*)?\r?\n[ \t]*if\b")
_UNIT_FILTER_LAMBDA = re.compile(r"filter\(\s*lambda")
_EXECUTORS = {"execute", "scalars", "exec", "stream", "stream_scalars", "query"}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While, *_COMPREHENSIONS, ast.Lambda)
_SPINE = {"list", "tuple"}
_RESULTS = {"all", "fetchall", "unique", "scalars", "first", "one"}
# names the rule resolves through scopes wherever they are bound: builtins, SQLAlchemy
_ALWAYS = frozenset(
    {"select", "filter", "list", "tuple", "set", "frozenset", "sorted", "next", "any", "all"}
    | {"sum", "min", "max", "dict", "bool", "or_", "and_"}
)


def _bounded(pattern: re.Pattern[AnyStr], text: AnyStr) -> bool:
    """Whether `\\b` + `pattern` matches: `pattern` searched, the boundary checked here."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        start = match.start()
        before = text[start - 1 : start]  # empty at the start: no word there
        if not (before.isalnum() or before in ("_", b"_")):  # `\w` of bytes / of str
            return True
        position = start + 1
    return False


def _line_start(patterns: tuple[re.Pattern[AnyStr], re.Pattern[AnyStr]], text: AnyStr) -> bool:
    """Whether `^` + a pattern matches (MULTILINE), given as (`^` + it, newline + it)."""
    at_start, after_newline = patterns
    return at_start.match(text) is not None or after_newline.search(text) is not None


def text_may_match(source: bytes) -> bool:
    """Whether the bytes show a query call and a filtering shape."""
    if not any(word in source for word in _QUERY_WORDS):  # plain substring scans: fast
        return False
    if (
        _bounded(_FOR_IF, source)
        or _line_start(_OPEN_IF, source)
        or _bounded(_FILTER_LAMBDA, source)
    ):
        return True
    return b".append(" in source and (_bounded(_LOOP_IF, source) or _line_start(_OPEN_FOR, source))


def unit_text_may_match(text: str) -> bool:
    """Whether a unit's source shows one of the shapes (before its nodes are walked)."""
    return (
        _bounded(_UNIT_FOR_IF, text)
        or _line_start(_UNIT_OPEN_IF, text)
        or _UNIT_COLON_IF.search(text) is not None
        or _bounded(_UNIT_FILTER_LAMBDA, text)
    )


def _is_append(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and statement.value.func.attr == "append"
    )


def _loop_condition(node: ast.For | ast.AsyncFor) -> ast.expr | None:
    body = node.body
    first = body[0] if body else None
    if node.orelse or not isinstance(first, ast.If) or first.orelse:
        return None
    if len(body) == 1 and len(first.body) == 1 and _is_append(first.body[0]):
        return first.test
    if len(body) == 2 and isinstance(first.body[0], ast.Continue) and _is_append(body[1]):
        return first.test
    return None


def _site(node: ast.AST) -> tuple[str, ast.expr, list[ast.expr]] | None:
    """(row variable, iterable, conditions) of a filtering construct FE101 knows."""
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
    if isinstance(node, ast.For | ast.AsyncFor) and isinstance(node.target, ast.Name):
        condition = _loop_condition(node)
        if condition is not None:
            return node.target.id, node.iter, [condition]
    return None


def _reads_row(row: str, conditions: list[ast.expr]) -> bool:
    """Whether a condition reads `row.attr` (or `row[0].attr`, `row.Model.attr`), or
    compares the row itself or `row[0]` (the value of a column the query selects)."""
    for condition in conditions:
        for node in ast.walk(condition):
            operands = [*_operands(node), *([node] if node is condition else [])]
            if any(_is_value(operand, row) for operand in operands):
                return True
            if not isinstance(node, ast.Attribute):
                continue
            holder = node.value
            if isinstance(holder, ast.Subscript | ast.Attribute):
                holder = holder.value
            if isinstance(holder, ast.Name) and holder.id == row:
                return True
    return False


def _called(func: ast.expr) -> str | None:
    """`f` for `f(...)`, `C.m` for `C.m(...)`: how the units of the module are named."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return None


def _operands(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    return [node.operand] if isinstance(node, ast.UnaryOp) else []


def _is_value(node: ast.expr, row: str) -> bool:
    """`row` or `row[0]`."""
    if isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name) and node.id == row


_CONTEXTS = (ast.Load, ast.Store, ast.Del)


def _walk(statements: list[ast.stmt]) -> list[ast.AST]:
    """The nodes under `statements`, as `ast.walk` finds them but in another order and
    without the Load/Store markers (a third of the time, without a generator per node)."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        found.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST) and not isinstance(value, _CONTEXTS):
                stack.append(value)
    return found


class _Function:
    """One function (or the module's loose statements): assignments, calls, parents."""

    def __init__(self, nodes: list[ast.AST], sites: list[ast.AST], functions: set[str]) -> None:
        self.values: dict[str, list[ast.expr]] = {}
        self.calls: set[str] = set()
        self._parents: dict[int, ast.AST] | None = None
        self.nodes = nodes
        self.sites = sites  # the nodes `_quick` accepts
        self.functions = functions
        for node in nodes:
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.Call):
                self._record(node)

    @property
    def parents(self) -> dict[int, ast.AST]:
        if self._parents is None:  # only a site inside a loop asks
            self._parents = {
                id(child): node for node in self.nodes for child in ast.iter_child_nodes(node)
            }
        return self._parents

    def _record(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self.values.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.Call):
            called = _called(node.func)
            if called is not None and called in self.functions:
                self.calls.add(called)

    def queryish(self, expr: ast.expr, depth: int = 0) -> bool:
        if depth > 6:
            return False
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in _EXECUTORS and node.args:
                    return True
                if (  # `get_query(...).all()`: a query built elsewhere, run here
                    isinstance(func, ast.Attribute)
                    and func.attr == "all"
                    and not node.args
                    and isinstance(func.value, ast.Call)
                ):
                    return True
                if isinstance(func, ast.Name) and func.id == "select":
                    return True
                if _called(func) in self.functions:  # `f(...)`, `Model.method(...)`
                    return True
            if isinstance(node, ast.Attribute) and node.attr == "query":
                return True
            if isinstance(node, ast.Name) and any(
                self.queryish(value, depth + 1) for value in self.values.get(node.id, ())
            ):
                return True
        return False

    def _loops(self, node: ast.AST) -> Iterator[ast.AST]:
        parent = self.parents.get(id(node))
        while parent is not None and not isinstance(parent, _FUNCTIONS):
            if isinstance(parent, _LOOPS):
                yield parent
            parent = self.parents.get(id(parent))

    def _regrouped(self, node: ast.AST, iterable: ast.expr) -> bool:
        """A list fetched before a loop and filtered on every pass of it."""
        if not isinstance(iterable, ast.Name):
            return False
        values = self.values.get(iterable.id, [])
        for loop in self._loops(node):
            inside = {id(n) for n in ast.walk(loop)}
            if values and not any(id(value) in inside for value in values):
                return True
        return False

    def relevant(self) -> frozenset[str] | None:
        """Names the rule will look up around the sites found (None: no site)."""
        names: set[str] = set()
        found_any = False
        for node in self.sites:
            found = _site(node)
            if found is None or not _reads_row(found[0], found[2]):
                continue
            if self.queryish(found[1]) and not self._regrouped(node, found[1]):
                found_any = True
                names |= _ALWAYS
                names.add(found[0])
                names |= {n.id for c in found[2] for n in ast.walk(c) if isinstance(n, ast.Name)}
                self._locals(found[1], names)
        return frozenset(names) if found_any else None

    def _locals(self, expr: ast.expr, names: set[str]) -> None:
        """Names the rule resolves along the spine of `expr`: local variables holding the
        rows, result or statement; called functions; the selected entities."""
        if isinstance(expr, ast.Name):
            if expr.id in self.values and expr.id not in names:
                names.add(expr.id)
                for value in self.values[expr.id]:
                    self._locals(value, names)
        elif isinstance(expr, ast.Await | ast.Attribute | ast.Subscript):
            self._locals(expr.value, names)
        elif isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            else:
                self._locals(func, names)
            method = func.attr if isinstance(func, ast.Attribute) else ""
            if method and method not in _EXECUTORS and method not in _RESULTS:
                head = func
                while isinstance(head, ast.Attribute):
                    head = head.value
                if isinstance(head, ast.Name):
                    names.add(head.id)  # `service.get_query(...)`: resolved through imports
            if method == "query" or (isinstance(func, ast.Name) and func.id == "select"):
                names |= {n.id for a in expr.args for n in ast.walk(a) if isinstance(n, ast.Name)}
            elif method in _EXECUTORS or (isinstance(func, ast.Name) and func.id in _SPINE):
                for arg in expr.args[:1]:
                    self._locals(arg, names)


def _units(statement: ast.stmt) -> Iterator[tuple[str, list[ast.stmt]]]:
    """(name, body) of each function to test: a def, or each method of a class."""
    if isinstance(statement, _FUNCTIONS):
        yield statement.name, [statement]
    elif isinstance(statement, ast.ClassDef):
        for member in statement.body:
            if isinstance(member, _FUNCTIONS):
                yield f"{statement.name}.{member.name}", [member]


_COMPREHENSION_TYPES = frozenset(_COMPREHENSIONS)
_FOR_TYPES = frozenset({ast.For, ast.AsyncFor})
_QUICK_TYPES = _COMPREHENSION_TYPES | _FOR_TYPES | {ast.Call}


def _quick(node: ast.AST) -> bool:
    """A cheap necessary condition for `_site(node)` (this runs on every node)."""
    kind = type(node)
    if kind in _COMPREHENSION_TYPES:
        return any(g.ifs for g in node.generators)  # type: ignore[attr-defined]
    if kind in _FOR_TYPES:
        return type(node.body[0]) is ast.If  # type: ignore[attr-defined]
    if kind is ast.Call:
        func = node.func  # type: ignore[attr-defined]
        return type(func) is ast.Name and func.id == "filter"
    return False


def _sites(
    body: list[ast.stmt], text: str, lines: list[int]
) -> tuple[list[ast.AST], list[ast.AST]]:
    """The nodes of a unit and those among them `_quick` accepts; none when its source
    (decorators included) shows none of the shapes."""
    first = min([getattr(body[0], "lineno", 1), *(d.lineno for d in _decorators(body[0]))])
    count = len(lines) - 1
    last = getattr(body[-1], "end_lineno", None) or count
    if not unit_text_may_match(text[lines[min(first - 1, count)] : lines[min(last, count)]]):
        return [], []
    nodes = _walk(body)
    return nodes, [node for node in nodes if type(node) in _QUICK_TYPES and _quick(node)]


def _decorators(node: ast.stmt) -> list[ast.expr]:
    return list(getattr(node, "decorator_list", []))


def _line_offsets(text: str) -> list[int]:
    """Where each line starts (as `ast` counts lines), and the end of the text."""
    offsets = [0]
    for line in split_lines(text):
        offsets.append(offsets[-1] + len(line))
    return offsets


def candidates(
    tree: ast.Module, text: str, hints: Hints = NO_HINTS
) -> dict[str, frozenset[str] | None] | None:
    """What to analyse, None when nothing can match: unit name -> the names its sites use
    (the engine may blank the unit's statements that mention none of them), or None to
    keep the unit whole (a function the site's query may come from)."""
    functions = {s.name for s in tree.body if isinstance(s, _FUNCTIONS)}
    functions |= {  # class- and static methods of the module's classes
        f"{s.name}.{m.name}"
        for s in tree.body
        if isinstance(s, ast.ClassDef)
        for m in s.body
        if isinstance(m, _FUNCTIONS) and m.decorator_list
    }
    needed: dict[str, frozenset[str] | None] = {}
    loose = [s for s in tree.body if not isinstance(s, (*_FUNCTIONS, ast.ClassDef))]
    lines = _line_offsets(text)
    if loose:
        nodes, sites = _sites(loose, text, lines)
        if sites and _Function(nodes, sites, functions).relevant() is not None:
            needed["<module>"] = None
    for statement in tree.body:
        for name, body in _units(statement):
            nodes, sites = _sites(body, text, lines)
            if not sites:
                continue
            unit = _Function(nodes, sites, functions)
            names = unit.relevant()
            if names is not None:
                needed[name] = names if name not in needed else None
                for call in unit.calls:
                    needed[call] = None
    return needed or None
