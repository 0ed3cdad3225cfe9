"""FE103's second fix: `session.get(Other, row.key)` once per row becomes one IN query
before the loop, into a dict the loop reads.

```python
for book in books:                       # books = session.scalars(...).all()
    print(session.get(Author, book.author_id))
```
becomes
```python
author_by_id = {author.id: author for author in session.scalars(
    select(Author).where(Author.id.in_({book.author_id for book in books})))}
for book in books:
    print(author_by_id.get(book.author_id))
```
A missing key still reads None and a repeated key the same object (the session's identity
map gives `get` and the query the same instance). Offered only when the rows are a list
(iterated twice), the key is a column of the rows of the primary key's kind, the loop
neither assigns the key nor writes through the session, and the dict's name is free.
Always **unsafe**: an IN list longer than the driver's limit on parameters (32,767 on
asyncpg and SQLite) fails where one `get` per row did not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from fe_gen.codemods.analysis.meta import Meta, code
from fe_gen.codemods.analysis.queries import SELECTS, Resolver, method
from fe_gen.codemods.models_index import ModelInfo
from fe_gen.codemods.rules.base import Applicability, Edit, Fix

_LISTS = {"all", "fetchall"}


@dataclass(frozen=True)
class Get:
    """A `session.get(Model, row.attr)` in the loop (`node` is the call or its `await`)."""

    call: cst.Call
    node: cst.BaseExpression
    session: str
    model: ModelInfo
    model_expr: cst.BaseExpression
    key: cst.Attribute


def find_get(call: cst.Call, row: str, meta: Meta, resolver: Resolver) -> Get | None:
    """`call` as a batchable `get`, or None."""
    if method(call) != "get" or len(call.args) != 2 or not isinstance(call.func, cst.Attribute):
        return None
    if any(arg.keyword or arg.star for arg in call.args):
        return None
    model_expr, key = call.args[0].value, call.args[1].value
    model = resolver.model_of(model_expr)
    if model is None or not isinstance(key, cst.Attribute):
        return None
    if not isinstance(key.value, cst.Name) or key.value.value != row:
        return None
    parent = meta.parent(call)
    node = parent if isinstance(parent, cst.Await) else call
    return Get(call, node, code(call.func.value), model, model_expr, key)


def batch_fix(
    loop: cst.For,
    gets: list[Get],
    row_model: ModelInfo,
    meta: Meta,
    module: cst.Module,
) -> tuple[Fix | None, str]:
    """The fix for `gets` (all of one model and key), or None with the reason."""
    first = gets[0]
    pk = first.model.primary_key()
    column = row_model.column(first.key.attr.value)
    if pk is None or column is None:
        return None, "the key or the primary key is not a column fe-gen can read"
    if pk.kind == "unknown" or pk.kind != column.kind:
        return None, f"`{code(first.key)}` and the primary key may be of different types"
    if not _a_list(loop.iter, meta):
        return None, "the rows are not a list fe-gen can iterate twice"
    if _assigns(loop.body, first.key):
        return None, f"the loop assigns `{code(first.key)}`"
    select = _select_name(module)
    if select is None:
        return None, "`select` means something else in this module"
    name = f"{_snake(first.model.name)}_by_{pk.name}"
    scope = meta.scope(loop)
    if scope is None or name in scope:
        return None, f"`{name}` is taken"
    prefetch = _prefetch(first, loop, name, pk.name, select)

    def insert(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.For)
        return cst.FlattenSentinel([prefetch, updated])  # type: ignore[return-value]

    def lookup(updated: cst.CSTNode) -> cst.CSTNode:
        return cst.parse_expression(f"{name}.get({code(first.key)})")

    edits = [Edit(loop, insert), *(Edit(get.node, lookup) for get in gets)]
    imports = (
        (("sqlalchemy", "select"),) if select == "select" and not _bound(module, "select") else ()
    )
    note = "an IN list longer than the driver's limit on parameters fails"
    return Fix(tuple(edits), Applicability.UNSAFE, imports, note), ""


def _prefetch(get: Get, loop: cst.For, name: str, pk: str, select: str) -> cst.BaseStatement:
    model = code(get.model_expr)
    each = _snake(get.model.name)
    row = code(loop.target)
    keys = f"{{{code(get.key)} for {row} in {code(loop.iter)}}}"
    query = f"{get.session}.scalars({select}({model}).where({model}.{pk}.in_({keys})))"
    if isinstance(get.node, cst.Await):
        query = f"(await {query})"
    return cst.parse_statement(f"{name} = {{{each}.{pk}: {each} for {each} in {query}}}\n")


def _a_list(iterable: cst.BaseExpression, meta: Meta) -> bool:
    """A name assigned once, to `....all()` / `.fetchall()` / `list(...)`."""
    if not isinstance(iterable, cst.Name):
        return False
    assignments = meta.assignments(iterable)
    if not assignments or len(assignments) != 1:
        return False
    value = meta.assigned_value(assignments[0])
    if isinstance(value, cst.Call) and method(value) in _LISTS and not value.args:
        return True
    return isinstance(value, cst.Call) and "builtins.list" in meta.qualified(value.func)


def _assigns(body: cst.CSTNode, key: cst.Attribute) -> bool:
    wanted = code(key)
    found = False

    class _Targets(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            nonlocal found
            found = found or code(node.target) == wanted

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            nonlocal found
            found = found or code(node.target) == wanted

    body.visit(_Targets())
    return found


def _bound(module: cst.Module, name: str) -> str | None:
    """The module a top-level `from X import name` takes `name` from, if any."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    local = code(alias.asname.name) if alias.asname else code(alias.name)
                    if local == name and small.module is not None:
                        return "." * len(small.relative) + code(small.module)
    return None


def _select_name(module: cst.Module) -> str | None:
    source = _bound(module, "select")
    if source is None or f"{source}.select" in SELECTS:
        return "select"
    return None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
