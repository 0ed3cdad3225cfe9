"""FE103's second fix: a lookup run once per row (`session.get(Other, row.key)`, or a query
by `Other.col == row.attr`, see `lookups`) becomes one IN query before the loop, into a
dict the loop reads.

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
A missing key still reads None (`[]` for a list per row) and a repeated key the same
object (the session's identity map gives the per-row query and the batch the same
instance). A key column that is not unique, read with `.first()`, keeps the first row of
the query's own ORDER BY (`setdefault` over the ordered batch); read with `.all()`, a list
per key in that order. The rows are iterated twice: rows a loop takes straight from a
query are listed first (`books = session.scalars(...).all()`). Offered only when the key
is a column of the rows of the compared column's kind, the loop neither assigns the key nor
changes its rows nor writes through the session, the query reads nothing else the loop
assigns, and the names
are free. Always **unsafe**: an IN list longer than the driver's limit on parameters
(32,767 on asyncpg and SQLite) fails where one query per row did not.
"""

from __future__ import annotations

import re

import libcst as cst

from fe_gen.codemods.analysis.meta import Meta, code
from fe_gen.codemods.analysis.queries import SELECTS, method
from fe_gen.codemods.analysis.rows import Loop
from fe_gen.codemods.models_index import ModelInfo
from fe_gen.codemods.rules.base import Applicability, Edit, Fix
from fe_gen.codemods.rules.fe103.lookups import Lookup, varies

_LISTS = {"all", "fetchall"}
_KEY_TYPES = {"int": "int", "str": "str"}  # the dict's annotation, where it needs one
_IN_PLACE = {"append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse"}
_CONSUMERS = {"all", "any", "sum", "min", "max", "sorted", "list", "set", "tuple", "dict"}


def batch_fix(
    loop: Loop,
    lookups: list[Lookup],
    row_model: ModelInfo,
    meta: Meta,
    module: cst.Module,
    claim: cst.CSTNode | None = None,
) -> tuple[Fix | None, str]:
    """The fix for `lookups` (all of one model, key and query), or None with the reason.
    `claim`: where another fix may add loader options to the rows' query; this fix claims it
    too (and waits for the next round) when it moves that query into a list of its own."""
    first = lookups[0]
    if first.problem:
        return None, first.problem
    why = _unbatchable(loop, lookups, row_model, meta)
    if why:
        return None, why
    anchor = _anchor(loop.node, meta)
    if isinstance(anchor, str):
        return None, anchor
    select = _select_name(module)
    if select is None and first.statement is None:
        return None, "`select` means something else in this module"
    plural = first.shape == "all"
    each = _snake(first.model.name)
    name = f"{_plural(each) if plural else each}_by_{first.column}"
    scope = meta.scope(anchor)
    if scope is None or name in scope:
        return None, f"`{name}` is taken"
    if first.shape != "one":  # the prefetch's own `for` binds a name in the function
        each = next((n for n in (each, f"{each}_row") if n not in scope), "")
        if not each:
            return None, f"`{_snake(first.model.name)}_row` is taken"
    edits: list[Edit] = []
    rows = code(loop.iterable)
    hoisted: list[cst.BaseStatement] = []
    if not _a_list(loop.iterable, meta):
        streamed = isinstance(loop.node, cst.For) and loop.node.asynchronous is not None
        listed = None if streamed else _listed(loop.iterable, meta)
        rows = _plural(_snake(row_model.name))
        if listed is None:
            return None, "the rows are not a list fe-gen can iterate twice"
        if rows in scope:
            return None, f"`{rows}` is taken"
        hoisted = [cst.parse_statement(f"{rows} = {listed}\n")]
        edits.append(Edit(loop.iterable, lambda _: cst.Name(rows)))
        edits += [Edit(claim, lambda node: node)] if claim is not None else []
    names = (name, each, select or "select")
    prefetch = [*hoisted, *_prefetch(first, loop, rows, names, row_model)]

    def insert(updated: cst.CSTNode) -> cst.CSTNode:
        return cst.FlattenSentinel([*prefetch, updated])  # type: ignore[return-value]

    default = ", []" if plural else ""

    def lookup(updated: cst.CSTNode) -> cst.CSTNode:
        return cst.parse_expression(f"{name}.get({code(first.key)}{default})")

    edits += [Edit(anchor, insert), *(Edit(found.node, lookup) for found in lookups)]
    edits += [Edit(found.held, _remove) for found in lookups if found.held is not None]
    new_select = first.statement is None and select == "select" and not _bound(module, "select")
    imports = (("sqlalchemy", "select"),) if new_select else ()
    note = "an IN list longer than the driver's limit on parameters fails"
    return Fix(tuple(edits), Applicability.UNSAFE, imports, note), ""


def _remove(updated: cst.CSTNode) -> cst.CSTNode:
    """The rebuild of a statement the fix removes (`stmt = select(...)` in the loop)."""
    return cst.RemoveFromParent()  # type: ignore[return-value]  # the applier passes it on


def _unbatchable(loop: Loop, lookups: list[Lookup], row_model: ModelInfo, meta: Meta) -> str:
    """Why these lookups cannot become one query before the loop ("" when they can)."""
    first = lookups[0]
    model = code(first.model_expr)
    target = first.model.column(first.column)
    key = row_model.column(first.key.attr.value)
    if target is None or key is None:
        return "the key or the column it is compared with is not a column fe-gen can read"
    if target.kind == "unknown" or target.kind != key.kind:
        return f"`{code(first.key)}` and `{model}.{first.column}` may be of different types"
    if first.statement is not None and target.nullable and key.nullable:
        return f"a None `{code(first.key)}` finds the rows whose `{first.column}` is NULL"
    if first.shape != "one" and target.kind not in _KEY_TYPES:
        return f"`{model}.{first.column}` is not a column of a kind fe-gen can annotate"
    changed = _changed(loop.node)
    if code(first.key) in changed:
        return f"the loop assigns `{code(first.key)}`"
    if code(loop.iterable) in changed:
        return f"the loop changes `{code(loop.iterable)}` as it goes"
    if any(varies(found, loop.node, meta) for found in lookups):
        return "the query reads a name the loop binds"
    parts = [part for found in lookups for part in (found.node, found.statement) if part]
    read = next((r for part in parts if (r := _reads(part, changed))), None)
    if read is not None:
        return f"the query reads `{read}`, which the loop assigns"
    return ""


def _listed(iterable: cst.BaseExpression, meta: Meta) -> str | None:
    """The rows a loop iterates as a list of their own (`....all()`), to be iterated twice;
    None for rows streamed (`stream`, `yield_per`), which a list would hold whole."""
    text = code(iterable)
    if "stream" in text or "yield_per" in text:
        return None
    if isinstance(iterable, cst.Await):
        return f"({text}).all()"
    if isinstance(iterable, cst.Call) and method(iterable) in _LISTS and not iterable.args:
        return text
    if isinstance(iterable, cst.Call) and "builtins.list" in meta.qualified(iterable.func):
        return text
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute):
        return f"{text}.all()"  # a Result, a ScalarResult or a Query
    if isinstance(iterable, cst.Attribute) and iterable.attr.value == "query":
        return f"{text}.all()"
    return None


def _anchor(node: cst.CSTNode, meta: Meta) -> cst.BaseStatement | str:
    """The statement the prefetch goes before: the `for` loop, or the statement a
    comprehension is evaluated in first thing (not a lambda's body, not a generator kept
    for later): a plain one, or the header of an `if` (not an `elif`), `for` or `with`."""
    if isinstance(node, cst.For):
        return node
    if isinstance(node, cst.GeneratorExp) and not _consumed(node, meta):
        return "the generator may be consumed later, after the data changed"
    child = node
    for above in meta.ancestors(node):
        if isinstance(above, cst.Lambda | cst.FunctionDef | cst.ClassDef):
            return "the comprehension runs later, in a lambda"
        if isinstance(above, cst.SimpleStatementLine) and len(above.body) == 1:
            return above
        if _header(above, child) and not isinstance(meta.parent(above), cst.If):
            assert isinstance(above, cst.BaseCompoundStatement)
            return above
        if isinstance(above, cst.BaseCompoundStatement | cst.SimpleStatementLine):
            break
        child = above
    return "the comprehension is not evaluated once, first thing, in its statement"


def _header(statement: cst.CSTNode, child: cst.CSTNode) -> bool:
    """Whether `child` is what a compound statement evaluates first, and once."""
    if isinstance(statement, cst.If):
        return child is statement.test
    if isinstance(statement, cst.For):
        return child is statement.iter
    if isinstance(statement, cst.With):
        return child is statement.items[0]
    return False


def _consumed(node: cst.GeneratorExp, meta: Meta) -> bool:
    """A generator handed straight to a builtin that consumes it, or to `str.join`."""
    arg = meta.parent(node)
    call = meta.parent(arg) if isinstance(arg, cst.Arg) else None
    if not isinstance(call, cst.Call):
        return False
    if method(call) == "join":
        return True
    return any(q in {f"builtins.{n}" for n in _CONSUMERS} for q in meta.qualified(call.func))


def _prefetch(
    lookup: Lookup, loop: Loop, rows: str, names: tuple[str, str, str], row_model: ModelInfo
) -> list[cst.BaseStatement]:
    """The statements that fill the dict `name` from one query, each row bound to `each`."""
    name, each, select = names
    model = code(lookup.model_expr)
    row = code(loop.row)
    key = code(lookup.key)
    key_column = row_model.column(lookup.key.attr.value)
    skip = f" if {key} is not None" if key_column is not None and key_column.nullable else ""
    keys = f"{{{key} for {row} in {rows}{skip}}}"
    within = f"{model}.{lookup.column}.in_({keys})"
    if lookup.statement is None:
        query = f"{lookup.session}.scalars({select}({model}).where({within}))"
    else:
        statement = code(_keyed_by(lookup, cst.parse_expression(within)))
        if lookup.legacy:
            query = f"({statement})" if "\n" in statement else statement
        else:
            query = f"{lookup.session}.scalars({statement})"
    column = f"{each}.{lookup.column}"
    if lookup.shape == "one":
        query = f"(await {query})" if lookup.awaited else query
        text = f"{name} = {{{column}: {each} for {each} in {query}}}\n"
    else:
        kind = _KEY_TYPES[key_column.kind] if key_column is not None else "object"
        if lookup.shape == "all":
            value, add = f"list[{model}]", f"setdefault({column}, []).append({each})"
        else:
            value, add = model, f"setdefault({column}, {each})"
        query = f"await {query}" if lookup.awaited else query
        text = f"{name}: dict[{kind}, {value}] = {{}}\nfor {each} in {query}:\n    {name}.{add}\n"
    return list(cst.parse_module(text).body)


def _keyed_by(lookup: Lookup, within: cst.BaseExpression) -> cst.BaseExpression:
    """The lookup's statement with its condition on the row made `within` (the IN)."""
    assert lookup.statement is not None
    key = lookup.key
    verb = "filter" if lookup.legacy else "where"

    class _Swap(cst.CSTTransformer):
        def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
            if original.keyword is None and _holds(original.value, key):
                return updated.with_changes(value=within)
            return updated

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            if method(original) != "filter_by":
                return updated
            pairs = zip(updated.args, original.args, strict=True)
            kept = [arg for arg, old in pairs if old.value is not key]
            if len(kept) == len(updated.args) or not isinstance(updated.func, cst.Attribute):
                return updated
            condition = cst.Arg(within)
            if not kept:
                func = updated.func.with_changes(attr=cst.Name(verb))
                return updated.with_changes(func=func, args=[condition])
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            rest = updated.with_changes(args=kept)
            return cst.Call(cst.Attribute(rest, cst.Name(verb)), [condition])

    swapped = lookup.statement.visit(_Swap())
    assert isinstance(swapped, cst.BaseExpression)
    return swapped


def _holds(node: cst.CSTNode, wanted: cst.CSTNode) -> bool:
    found = False

    class _Find(cst.CSTVisitor):
        def on_visit(self, current: cst.CSTNode) -> bool:
            nonlocal found
            found = found or current is wanted
            return not found

    node.visit(_Find())
    return found


def _plural(name: str) -> str:
    if name.endswith(("s", "x", "ch", "sh")):
        return f"{name}es"
    if name.endswith("y") and name[-2:-1] not in {"a", "e", "i", "o", "u"}:
        return f"{name[:-1]}ies"
    return f"{name}s"


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


def _changed(loop: cst.CSTNode) -> set[str]:
    """What the loop assigns (`x.y = ...`, `x += ...`) or changes in place by a list's
    method (`rows.append(...)`), as code."""
    found: set[str] = set()

    class _Targets(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            found.add(code(node.target))

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            found.add(code(node.target))

        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Attribute) and method(node) in _IN_PLACE:
                found.add(code(node.func.value))

    loop.visit(_Targets())
    return found


def _reads(node: cst.CSTNode, changed: set[str]) -> str | None:
    """The first attribute chain `node` reads that is in `changed`, if any."""
    found: list[str] = []

    class _Chains(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> None:
            if not found and code(attribute) in changed:
                found.append(code(attribute))

    node.visit(_Chains())
    return found[0] if found else None


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
