"""What FE103 batches: a lookup run once per row that reads rows of another class by one
key of the row, either `session.get(Other, row.fk)` or a query whose only condition on the
row is `Other.col == row.attr` (`filter_by(col=row.attr)`), read as one object
(`.first()`, `.one_or_none()`, `.scalar_one_or_none()`, `session.scalar(...)`) or as a
list (`.all()`). Matching only: `batch` builds the fix, and says why there is none.

```python
session.scalars(select(Review).where(Review.book_id == book.id, Review.visible)).all()
(await session.execute(select(User).where(User.id == row.user_id))).scalar_one_or_none()
session.query(Author).filter_by(id=book.author_id).first()
```
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst
from libcst.metadata import Assignment

from fe_gen.codemods.analysis.meta import Meta, code, names_in
from fe_gen.codemods.analysis.queries import SELECTS, Resolver, method, unchain
from fe_gen.codemods.models_index import ModelInfo

# what the result is read with -> what one key gives: "one" (an object or None), "all" (a
# list), "raises" (`.one()`: a missing key raises NoResultFound, which a dict cannot)
_ENTITY_ENDS = {"first": "first", "one_or_none": "one_or_none", "all": "all", "one": "raises"}
_EXECUTE_ENDS = {"scalar_one_or_none": "one_or_none", "scalar_one": "raises", "scalar": "first"}
_LINKS = {"where", "filter", "filter_by", "order_by", "options"}


@dataclass(frozen=True)
class Lookup:
    """Rows of `model` read per row by `model.column == key` (`key` is `row.attr`)."""

    node: cst.BaseExpression  # what the dict read replaces (the call, its await, the chain)
    session: str  # the session's code; "" for `Model.query`
    model: ModelInfo
    model_expr: cst.BaseExpression
    column: str
    key: cst.Attribute
    shape: str  # "one", "first" (first of several, in the query's order), "all", "raises"
    statement: cst.BaseExpression | None  # the select / Query chain; None for `get`
    awaited: bool = False
    legacy: bool = False  # a Query: iterated as it is, not executed with `.scalars()`
    problem: str = ""  # why no fix can be offered ("" when one can)
    only_key: bool = True  # no condition, order or option but the key: one of `get`'s kind
    held: cst.SimpleStatementLine | None = None  # `stmt = select(...)` in the loop: removed
    holder: cst.Name | None = None  # the `stmt` the executor is handed

    @property
    def what(self) -> str:
        if self.statement is None:
            return f"`{code(self.node)}`"
        return f"`{code(self.model_expr)}` queried by `{code(self.key)}`"


def find_get(call: cst.Call, row: str, meta: Meta, resolver: Resolver) -> Lookup | None:
    """`session.get(Model, row.attr)` as a lookup by the primary key, or None."""
    if method(call) != "get" or len(call.args) != 2 or not isinstance(call.func, cst.Attribute):
        return None
    if any(arg.keyword or arg.star for arg in call.args):
        return None
    model_expr, key = call.args[0].value, call.args[1].value
    model = resolver.model_of(model_expr)
    if model is None or not _row_attribute(key, row):
        return None
    assert isinstance(key, cst.Attribute)
    pk = model.primary_key()
    parent = meta.parent(call)
    node = parent if isinstance(parent, cst.Await) else call
    session = code(call.func.value)
    problem = "" if pk is not None else "the primary key is not a column fe-gen can read"
    column = pk.name if pk is not None else ""
    return Lookup(
        node, session, model, model_expr, column, key, "one", None, node is parent, False, problem
    )


def find_lookup(call: cst.Call, row: str, meta: Meta, resolver: Resolver) -> Lookup | None:
    """`call` (the outermost call of its chain) as a per-row query by a key of `row`."""
    end = method(call)
    iterated = _iterated(call, row, meta, resolver)
    if iterated is not None or call.args or not isinstance(call.func, cst.Attribute):
        return iterated or _session_scalar(call, row, meta, resolver)
    receiver, awaited = _unawait(call.func.value)
    if end in _EXECUTE_ENDS and _executes(receiver, "execute"):
        assert isinstance(receiver, cst.Call)
        return _lookup(call, receiver, _EXECUTE_ENDS[end], awaited, row, meta, resolver)
    if end not in _ENTITY_ENDS:
        return None
    if isinstance(receiver, cst.Call) and method(receiver) == "scalars" and not receiver.args:
        assert isinstance(receiver.func, cst.Attribute)
        inner, awaited = _unawait(receiver.func.value)
        if _executes(inner, "execute"):
            assert isinstance(inner, cst.Call)
            return _lookup(call, inner, _ENTITY_ENDS[end], awaited, row, meta, resolver)
        return None
    if _executes(receiver, "scalars"):
        assert isinstance(receiver, cst.Call)
        return _lookup(call, receiver, _ENTITY_ENDS[end], awaited, row, meta, resolver)
    if not awaited:
        return _legacy(call, receiver, _ENTITY_ENDS[end], row, meta, resolver)
    return None


def _iterated(call: cst.Call, row: str, meta: Meta, resolver: Resolver) -> Lookup | None:
    """`for x in session.scalars(select(...))` (or a Query) in the loop: a list per row."""
    node: cst.BaseExpression = call
    parent = meta.parent(call)
    if isinstance(parent, cst.Await):
        node, parent = parent, meta.parent(parent)
    if not isinstance(parent, cst.For | cst.CompFor) or parent.iter is not node:
        return None
    if isinstance(parent, cst.For) and parent.asynchronous is not None:
        return None
    if _executes(call, "scalars"):
        return _lookup(node, call, "all", node is not call, row, meta, resolver)
    return _legacy(call, call, "all", row, meta, resolver) if node is call else None


def _session_scalar(call: cst.Call, row: str, meta: Meta, resolver: Resolver) -> Lookup | None:
    """`session.scalar(select(...))`: the first row's object, or None."""
    if method(call) != "scalar" or not _executes(call, "scalar"):
        return None
    parent = meta.parent(call)
    node = parent if isinstance(parent, cst.Await) else call
    return _lookup(node, call, "first", node is parent, row, meta, resolver)


def _unawait(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, bool]:
    if isinstance(expr, cst.Await):
        return expr.expression, True
    return expr, False


def _executes(expr: cst.BaseExpression, name: str) -> bool:
    """`session.<name>(statement)`, with one positional argument."""
    return (
        isinstance(expr, cst.Call)
        and method(expr) == name
        and len(expr.args) == 1
        and expr.args[0].keyword is None
        and not expr.args[0].star
    )


def _lookup(
    node: cst.BaseExpression,
    executor: cst.Call,
    shape: str,
    awaited: bool,
    row: str,
    meta: Meta,
    resolver: Resolver,
) -> Lookup | None:
    """A `select(Other)...` statement run by `executor` for one key of the row, written
    inline or held in a variable assigned just before (`stmt = select(...)`)."""
    statement = executor.args[0].value
    holder = statement if isinstance(statement, cst.Name) else None
    held = None
    if holder is not None:
        found_held = _held(holder, meta)
        if found_held is None:
            return None
        statement, held = found_held
    root, links = unchain(statement)
    if not isinstance(root, cst.Call) or not meta.qualified(root.func) & SELECTS:
        return None
    if len(root.args) != 1 or root.args[0].keyword or root.args[0].star:
        return None
    assert isinstance(executor.func, cst.Attribute)
    session = code(executor.func.value)
    found = _keyed(node, root.args[0].value, links, shape, row, resolver)
    if found is None:
        return None
    return replace(
        found, session=session, statement=statement, awaited=awaited, held=held, holder=holder
    )


def _held(name: cst.Name, meta: Meta) -> tuple[cst.BaseExpression, cst.SimpleStatementLine] | None:
    """The value of `name = value`, its only assignment and `name`'s only use, made by the
    statement before the use's in the same block (so each row's use reads its own)."""
    scope = meta.scope(name)
    if scope is None:
        return None
    assignments = list(scope.assignments[name.value])
    if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
        return None
    if len(assignments[0].references) != 1:
        return None
    value = meta.assigned_value(assignments[0])
    line = meta.statement(assignments[0].node)
    use = meta.statement(name)
    if value is None or not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    block = meta.parent(line)
    body = list(getattr(block, "body", ()))
    if use is None or meta.parent(use) is not block:
        return None
    ids = [id(statement) for statement in body]
    if id(line) not in ids or id(use) not in ids or ids.index(id(line)) >= ids.index(id(use)):
        return None
    return value, line


def _legacy(
    node: cst.Call, query: cst.BaseExpression, shape: str, row: str, meta: Meta, resolver: Resolver
) -> Lookup | None:
    """`session.query(Other)...` or `Other.query...` finished per row."""
    root, links = unchain(query)
    if links and method(links[0]) == "query" and len(links[0].args) == 1:
        entity = links[0].args[0].value
        session = code(root)
        links = links[1:]
    elif isinstance(root, cst.Attribute) and root.attr.value == "query":
        entity = root.value
        session = ""
    else:
        return None
    found = _keyed(node, entity, links, shape, row, resolver)
    if found is None:
        return None
    return replace(found, session=session, statement=query, legacy=True)


def _keyed(
    node: cst.BaseExpression,
    entity: cst.BaseExpression,
    links: list[cst.Call],
    shape: str,
    row: str,
    resolver: Resolver,
) -> Lookup | None:
    """The parts of a Lookup a statement's chain gives: one condition `Other.col ==
    row.attr`; every other link a condition, an ORDER BY or loader options."""
    model = resolver.model_of(entity)
    if model is None or any(method(link) not in _LINKS for link in links):
        return None
    keys: list[tuple[str, cst.Attribute]] = []
    for link in links:
        for arg in link.args:
            if arg.star:
                return None
            pair = _key_condition(arg, method(link), entity, row)
            if pair is not None:
                keys.append(pair)
            elif any(name.value == row for name in names_in(arg.value)):
                return None  # the row is read some other way
    if len(keys) != 1 or model.column(keys[0][0]) is None:
        return None
    column, key = keys[0]
    info = model.column(column)
    assert info is not None
    ordered = any(method(link) == "order_by" for link in links)
    problem = ""
    if shape == "raises":
        problem = "a missing key raises NoResultFound, which a lookup in a dict does not"
    elif shape in {"first", "one_or_none"} and not info.unique:
        if shape == "one_or_none":
            problem = f"`{code(entity)}.{column}` is not unique: several rows raise per row"
        elif not ordered:
            problem = (
                f"`{code(entity)}.{column}` is not unique and no ORDER BY says which comes first"
            )
    shape = "one" if shape in {"first", "one_or_none"} and info.unique else shape
    only_key = len(links) == 1 and len(links[0].args) == 1
    return Lookup(
        node, "", model, entity, column, key, shape, None, problem=problem, only_key=only_key
    )


def _key_condition(
    arg: cst.Arg, link: str, entity: cst.BaseExpression, row: str
) -> tuple[str, cst.Attribute] | None:
    """(column, `row.attr`) for `Other.col == row.attr` (either way round) or, in
    `filter_by`, `col=row.attr`."""
    if link == "filter_by":
        if arg.keyword is not None and _row_attribute(arg.value, row):
            assert isinstance(arg.value, cst.Attribute)
            return arg.keyword.value, arg.value
        return None
    comparison = arg.value
    if arg.keyword is not None or not isinstance(comparison, cst.Comparison):
        return None
    if len(comparison.comparisons) != 1:
        return None
    target = comparison.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return None
    for column, key in ((comparison.left, target.comparator), (target.comparator, comparison.left)):
        if (
            _row_attribute(key, row)
            and isinstance(column, cst.Attribute)
            and code(column.value) == code(entity)
        ):
            assert isinstance(key, cst.Attribute)
            return column.attr.value, key
    return None


def _row_attribute(expr: cst.BaseExpression, row: str) -> bool:
    return (
        isinstance(expr, cst.Attribute)
        and isinstance(expr.value, cst.Name)
        and expr.value.value == row
    )


def varies(lookup: Lookup, loop: cst.CSTNode, meta: Meta) -> bool:
    """Whether a name the lookup reads (its row's and its statement's name aside) is bound
    inside `loop`: it may differ from row to row."""
    low, high = meta.start(loop), meta.end(loop)
    parts = [lookup.node, *([lookup.statement] if lookup.held is not None else [])]
    but = {id(lookup.key.value), id(lookup.holder)}
    for name in (name for part in parts if part is not None for name in names_in(part)):
        if id(name) in but:
            continue
        scope = meta.scope(name)
        if scope is None:
            return True
        for access in scope.accesses[name.value]:
            if access.node is not name:
                continue
            for referent in access.referents:
                bound = getattr(referent, "node", None)
                if isinstance(bound, cst.CSTNode) and low <= meta.start(bound) <= high:
                    return True
    return False
