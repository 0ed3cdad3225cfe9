"""Rows a loop iterates, traced to their query, and where loader options go: what FE102
(load_only) and FE103 (eager loads) both need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from fe_gen.codemods.analysis.meta import code
from fe_gen.codemods.analysis.queries import LeftAlone, Resolver, Source, method, unchain
from fe_gen.codemods.models_index import ModelInfo

_EXECUTORS = {"execute", "scalars", "exec", "stream", "stream_scalars"}


@dataclass(frozen=True)
class Loop:
    """A loop over rows: `for row in iterable: <parts>` or a comprehension."""

    node: cst.CSTNode
    row: cst.BaseExpression
    iterable: cst.BaseExpression
    parts: Sequence[cst.CSTNode]


@dataclass(frozen=True)
class Rows:
    """Rows a loop iterates: the query, its class, and where `.options(...)` goes."""

    source: Source
    model: ModelInfo
    entity: str  # the class as the query names it
    statement: cst.BaseExpression | None  # where `.options(...)` goes (None: elsewhere)
    session: str  # the receiver that ran the query, "" when unknown
    builder: str = ""  # the function of another module that builds the query


def local_rows(resolver: Resolver, loop: Loop) -> Rows | None:
    """The rows of a query this module builds, of one known mapped class; else None."""
    source = resolver.source(loop.iterable)
    if isinstance(source, LeftAlone) or source.problem is not None:
        return None
    if source.shape != "entity" or len(source.entities) != 1:
        return None
    entity = source.entities[0]
    if entity.model is None:
        return None
    statement, session = statement_of(source, loop.iterable)
    if statement is None:
        return None
    return Rows(source, entity.model, code(entity.expr), statement, session)


def statement_of(
    source: Source, iterable: cst.BaseExpression
) -> tuple[cst.BaseExpression | None, str]:
    """The expression to add `.options(...)` to, and the session's code when known."""
    call = source.executed_at
    if call is None:  # a Query iterated by the loop itself
        while isinstance(iterable, cst.Await):
            iterable = iterable.expression
        return iterable, legacy_session(iterable)
    if not isinstance(call, cst.Call) or not call.args:
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
            statement = call.func.value  # `query.all()`
            return statement, legacy_session(statement)
        return None, ""
    if isinstance(call.func, cst.Attribute) and method(call) in _EXECUTORS:
        return call.args[0].value, code(call.func.value)
    if isinstance(call.func, cst.Name):  # list(query)
        statement = call.args[0].value
        return statement, legacy_session(statement)
    return None, ""


def legacy_session(query: cst.BaseExpression) -> str:
    root, links = unchain(query)
    if links and method(links[0]) == "query":
        return code(root)
    return ""


def append_options(statement: cst.BaseExpression, options: list[cst.Call]) -> cst.Call:
    """`statement.options(...)`, the statement parenthesised when it needs it."""
    if not isinstance(statement, cst.Name | cst.Attribute | cst.Call | cst.Subscript):
        statement = statement.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    dot = cst.Dot()
    func = statement.func if isinstance(statement, cst.Call) else None
    if isinstance(func, cst.Attribute) and isinstance(
        func.dot.whitespace_before, cst.ParenthesizedWhitespace
    ):
        dot = func.dot  # a chain written one call a line: one more line
    attribute = cst.Attribute(value=statement, attr=cst.Name("options"), dot=dot)
    args = [
        cst.Arg(o, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        for o in options[:-1]
    ]
    return cst.Call(func=attribute, args=[*args, cst.Arg(options[-1])])
