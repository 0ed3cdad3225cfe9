"""The Python filtering FE101 looks for, and how to take it out once SQL does it.

Three shapes, each over one row variable:
  - a comprehension with `if` clauses and a single `for` (a generator only when a builtin
    consumes it on the spot: `next(...)`, `list(...)`, `any(...)`...);
  - `filter(lambda row: ..., rows)` consumed on the spot (`list(...)`, a `for`);
  - `for row in rows:` whose body is only `if cond: out.append(...)`, or
    `if not cond: continue` followed by `out.append(...)`, with no `else`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from fe_gen.codemods.analysis import sqlbuild as sb
from fe_gen.codemods.analysis.meta import COMPREHENSIONS, Meta
from fe_gen.codemods.analysis.queries import method

_CONSUMERS = {
    f"builtins.{name}"
    for name in (
        "list",
        "tuple",
        "set",
        "frozenset",
        "sorted",
        "sum",
        "any",
        "all",
        "next",
        "min",
        "max",
        "dict",
    )
}


@dataclass(frozen=True)
class Site:
    node: cst.CSTNode  # what the finding points at
    row: str
    iterable: cst.BaseExpression
    conditions: tuple[cst.BaseExpression, ...]
    rebuild: Callable[[cst.CSTNode], cst.CSTNode]  # the node without its Python filtering
    dropped: tuple[cst.CSTNode, ...]  # code the fix removes (comments there make it unsafe)
    kept: tuple[cst.CSTNode, ...] = ()  # code inside `dropped` that survives
    per_row: tuple[cst.CSTNode, ...] = ()  # other code run for every row
    loop_target: cst.Name | None = None  # a `for` target, which outlives the loop
    picks: str = ""  # "the first row" (next), "the last row of each key": order matters
    key: cst.BaseExpression | None = None  # a dict comprehension's key (unique: no choice)
    lines: tuple[cst.CSTNode, ...] = ()  # more nodes whose line takes a suppression


def _consumed(node: cst.CSTNode, meta: Meta) -> bool:
    """Whether an iterator is used up where it stands, before anything else runs."""
    parent = meta.parent(node)
    if isinstance(parent, cst.For | cst.CompFor) and parent.iter is node:
        return True
    if isinstance(parent, cst.Arg):
        call = meta.parent(parent)
        if isinstance(call, cst.Call) and call.args and call.args[0] is parent:
            return bool(meta.qualified(call.func) & _CONSUMERS) or method(call) == "join"
    return False


def _picks(node: cst.CSTNode, meta: Meta) -> str:
    """Which of the rows a consumer keeps, when that depends on their order."""
    if isinstance(node, cst.DictComp):
        return "the last row of each key"
    parent = meta.parent(node)
    call = meta.parent(parent) if isinstance(parent, cst.Arg) else None
    if isinstance(call, cst.Call):
        names = meta.qualified(call.func)
        if "builtins.next" in names:
            return "the first row"
        if "builtins.dict" in names:
            return "the last row of each key"
        if names & {"builtins.list", "builtins.tuple"}:
            node, parent = call, meta.parent(call)
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return "the rows at some positions (`[0]`, `[:n]`)"
    return ""


def comprehension(node: cst.CSTNode, meta: Meta) -> Site | None:
    if not isinstance(node, COMPREHENSIONS):
        return None
    for_in = node.for_in
    if for_in.inner_for_in is not None or not for_in.ifs or not isinstance(for_in.target, cst.Name):
        return None
    if isinstance(node, cst.GeneratorExp) and not _consumed(node, meta):
        return None
    row = for_in.target.value
    collapse = (
        isinstance(node, cst.ListComp | cst.SetComp)
        and _is_name(node.elt, row)
        and for_in.asynchronous is None  # list() cannot consume an async iterator
    )
    per_row = (node.key, node.value) if isinstance(node, cst.DictComp) else (node.elt,)
    typed = _typed_value(node, meta)

    def rebuild(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, COMPREHENSIONS)
        plain = updated.with_changes(for_in=updated.for_in.with_changes(ifs=[]))
        if not collapse:
            return plain
        iterable = updated.for_in.iter
        if isinstance(updated, cst.ListComp) and method_of(iterable) in {"all", "fetchall"}:
            if not typed or _legacy_query(iterable):
                return iterable.with_changes(lpar=updated.lpar, rpar=updated.rpar)
            # `.all()` of a 2.0-style result is typed `Sequence`: list() the result itself.
            assert isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute)
            iterable = iterable.func.value
        wrapper = "list" if isinstance(updated, cst.ListComp) else "set"
        return sb.call(sb.name(wrapper), iterable).with_changes(
            lpar=updated.lpar, rpar=updated.rpar
        )

    return Site(
        node=node,
        row=row,
        iterable=for_in.iter,
        conditions=tuple(clause.test for clause in for_in.ifs),
        rebuild=rebuild,
        dropped=(node,) if collapse else tuple(for_in.ifs),
        kept=(for_in.iter,) if collapse else (),
        per_row=per_row,
        picks=_picks(node, meta),
        key=node.key if isinstance(node, cst.DictComp) else None,
    )


def filter_call(node: cst.CSTNode, meta: Meta) -> Site | None:
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name):
        return None
    if node.func.value != "filter" or "builtins.filter" not in meta.qualified(node.func):
        return None
    if len(node.args) != 2 or any(arg.keyword or arg.star for arg in node.args):
        return None
    function = node.args[0].value
    if not isinstance(function, cst.Lambda) or not _consumed(node, meta):
        return None
    params = function.params
    if len(params.params) != 1 or params.params[0].default is not None:
        return None
    if (
        params.posonly_params
        or params.kwonly_params
        or not isinstance(params.star_arg, cst.MaybeSentinel)
    ):
        return None
    if params.star_kwarg is not None:
        return None

    def rebuild(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Call)
        return updated.args[1].value

    return Site(
        node=node,
        row=params.params[0].name.value,
        iterable=node.args[1].value,
        conditions=(function.body,),
        rebuild=rebuild,
        dropped=(node,),
        kept=(node.args[1].value,),
        picks=_picks(node, meta),
    )


def _append(statement: cst.CSTNode) -> cst.BaseSmallStatement | None:
    """The `x.append(v)` of a line holding only that."""
    small: cst.BaseSmallStatement | None = None
    if isinstance(statement, cst.SimpleStatementLine | cst.SimpleStatementSuite):
        small = statement.body[0] if len(statement.body) == 1 else None
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        call = small.value
        if method(call) == "append" and len(call.args) == 1 and not call.args[0].keyword:
            return small
    return None


def _only(block: cst.BaseSuite) -> cst.CSTNode | None:
    if isinstance(block, cst.IndentedBlock):
        return block.body[0] if len(block.body) == 1 else None
    return block


def loop(node: cst.CSTNode, meta: Meta) -> Site | None:
    if not isinstance(node, cst.For) or node.orelse is not None:
        return None
    if not isinstance(node.target, cst.Name) or not isinstance(node.body, cst.IndentedBlock):
        return None
    body = node.body.body
    first = body[0] if body else None
    if not isinstance(first, cst.If) or first.orelse is not None:
        return None
    if len(body) == 1:
        inner = _only(first.body)
        small = _append(inner) if inner is not None else None
        if small is None:
            return None
        condition: cst.BaseExpression = first.test
        per_row: cst.CSTNode = small
        keep = inner if isinstance(inner, cst.SimpleStatementLine) else None

        def rebuild(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.For) and isinstance(updated.body, cst.IndentedBlock)
            guard = updated.body.body[0]
            assert isinstance(guard, cst.If)
            line = _only(guard.body)
            if not isinstance(line, cst.SimpleStatementLine):
                assert isinstance(line, cst.SimpleStatementSuite)
                line = cst.SimpleStatementLine(body=line.body)
            return updated.with_changes(body=updated.body.with_changes(body=[line]))

        kept: tuple[cst.CSTNode, ...] = (keep,) if keep is not None else ()
    elif len(body) == 2 and _is_continue(first.body) and _append(body[1]) is not None:
        condition = cst.UnaryOperation(operator=cst.Not(), expression=_grouped(first.test))
        per_row = body[1]

        def rebuild(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.For) and isinstance(updated.body, cst.IndentedBlock)
            return updated.with_changes(body=updated.body.with_changes(body=updated.body.body[1:]))

        kept = ()
    else:
        return None
    return Site(
        node=node,
        row=node.target.value,
        iterable=node.iter,
        conditions=(condition,),
        rebuild=rebuild,
        dropped=(first,),
        kept=kept,
        per_row=(per_row,),
        loop_target=node.target,
        lines=(first,),
    )


def _is_continue(block: cst.BaseSuite) -> bool:
    line = _only(block)
    if isinstance(line, cst.SimpleStatementLine | cst.SimpleStatementSuite):
        return len(line.body) == 1 and isinstance(line.body[0], cst.Continue)
    return False


def _grouped(expr: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(expr, cst.BooleanOperation | cst.Comparison) and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


def _is_name(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _typed_value(node: cst.CSTNode, meta: Meta) -> bool:
    """Whether `node`'s type is declared where it goes: an annotated assignment's value, or
    what a function with a return annotation returns."""
    parent = meta.parent(node)
    if isinstance(parent, cst.AnnAssign):
        return True
    if not isinstance(parent, cst.Return):
        return False
    scope: cst.CSTNode | None = parent
    while scope is not None and not isinstance(scope, cst.FunctionDef | cst.Lambda):
        scope = meta.parent(scope)
    return isinstance(scope, cst.FunctionDef) and scope.returns is not None


def _legacy_query(node: cst.BaseExpression) -> bool:
    """Whether a chain starts from `session.query(...)`, whose `.all()` is typed as a list
    (2.0-style results' `.all()` is a `Sequence`, which a `list[...]` annotation refuses)."""
    while isinstance(node, cst.Call | cst.Attribute | cst.Subscript):
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "query":
                return True
            node = node.func
        else:
            node = node.value
    return False


def method_of(node: cst.BaseExpression) -> str:
    return method(node) if isinstance(node, cst.Call) else ""


SHAPES = (comprehension, filter_call, loop)
