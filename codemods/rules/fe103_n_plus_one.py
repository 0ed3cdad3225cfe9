"""FE103 n-plus-one: a loop over query results that queries again for every row.

## What it does
Finds a `for` loop or a comprehension over rows fetched with SQLAlchemy (the same queries
FE101 reads: `session.scalars(select(M))`, `session.execute(...).scalars()`, async or not,
legacy `session.query(M)`) whose body, for each row:
- reads a relationship that loads lazily (`row.author`, `row.books`, `row.author.country`,
  `for book in row.books: book.publisher`): the fix adds `selectinload(M.rel)` (a
  collection, or a direction fe-gen cannot tell) or `joinedload(M.rel)` (many-to-one) to
  the query's `.options(...)`, chained for nested paths;
- calls `session.get(Other, row.other_id)` (`await` too): the fix fetches them all with
  one `select(Other).where(Other.id.in_({...}))` before the loop into a dict the loop reads
  with `.get()`, so a missing key still gives None and a repeated key the same object;
- runs a query whose one condition on the row is `Other.col == row.attr` (either way
  round, or `filter_by(col=row.attr)`), beside conditions, an ORDER BY and loader options
  that do not depend on the row, written inline or in a variable the statement before
  assigns (`stmt = select(...)`, removed by the fix): `session.scalars(select(Other).where(...))` or
  `session.execute(...).scalars()` read with `.first()`, `.one_or_none()`, `.all()`,
  `session.execute(...).scalar_one_or_none()`, `session.scalar(...)`, legacy
  `session.query(Other).filter(...)` / `Other.query.filter_by(...)` with `.first()`,
  `.one_or_none()`, `.all()`, or iterated (`for b in session.scalars(...)`), awaited or
  not: the fix runs the same query once before the loop with the condition made
  `Other.col.in_({...})`, into a dict the loop reads: `other_by_col.get(row.attr)` for one
  object (None when missing), `others_by_col.get(row.attr, [])` for a list (in the query's
  order);
- runs any other query that depends on the row (`.one()` / `.scalar_one()`, a LIMIT, two
  conditions on the row, a join...), writes per row (`update()`, `insert()`, `delete()`),
  or hands the session to a function with the row: reported, without a fix.

- is a FastAPI route (`@router.get(..., response_model=list[Schema])`, or a return
  annotation) that returns the rows of such a query while its response schema nests a
  relationship (`books: list[BookOut]`, nested schemas too): serialising the response
  lazy-loads it once per row after the function returned. The fix adds the eager loads
  to the query when the route (or a function of its module) builds it.

The same holds in a list, set or dict comprehension or a generator over the rows
(`{b.id: session.get(Author, b.author_id) for b in books}`): the dict is filled in the
statement before the one the comprehension is evaluated in.

## Why is this bad?
One query for the rows, then one more per row: N+1 round trips where one or two would do.
Under `AsyncSession` the lazy load is not even allowed, and raises `MissingGreenlet`.

## Example
```python
for user in session.scalars(select(User)):
    print(user.name, len(user.posts))
```

```python
users = session.scalars(select(User)).all()
for user in users:
    team = session.scalars(select(Team).where(Team.id == user.team_id)).first()
```

## Use instead
```python
for user in session.scalars(select(User).options(selectinload(User.posts))):
    print(user.name, len(user.posts))
```
```python
users = session.scalars(select(User)).all()
team_by_id = {
    team.id: team
    for team in session.scalars(
        select(Team).where(Team.id.in_({user.team_id for user in users}))
    )
}
for user in users:
    team = team_by_id.get(user.team_id)
```

## When it stays quiet
A relationship configured to load otherwise (`lazy="joined"`, `"selectin"`, `"subquery"`,
`"immediate"`, `False`, `"raise"`, `"noload"`, `"dynamic"`, or a value that is not a
literal), in the class, a mixin or a base; a path the query's options already settle
(eager loads, `lazyload`, `raiseload`, `contains_eager`); a query whose options fe-gen
cannot read (strings, `"*"`, a variable, a helper's result): they may load it; a loop over
anything that is not a visible query of a known mapped class (a parameter, a list, rows
of another module's query); `.get()` on anything but a mapped class's key; a loop
variable reassigned in the body; reads inside a nested function or lambda; an Alembic
migration (a module with `revision` and `down_revision`), which runs once and is not
edited after it has run.

## Fix safety
Loading with the query changes no row: the rows, their order and their count stay as
they are (`joinedload` is used only for a many-to-one relationship and never with
DISTINCT or GROUP BY; collections use `selectinload`, which needs no `.unique()`). It
changes *when* the related rows are read: a lazy load runs at the first access, after
any write the session made in between. So the fix is **unsafe** when the session writes
(`add`, `flush`, `commit`, `execute` of anything but a `select`...) between the query and
the end of the loop, or hands the session or a row to a function of code it cannot see
(which may write); otherwise safe. A nested path whose intermediate class this module
does not import gets no fix.

Batching lookups (`get` and queries by a key of the row) is always **unsafe**: an IN list
longer than the driver's limit on parameters (32,767 on asyncpg and SQLite) fails where
one query per row did not, and a string key is compared by the database's collation in
the IN (case-insensitive on MySQL's default) but exactly in the dict. Otherwise each row
reads what its own query answered, which is why a fix is offered only where fe-gen can
show it:
- one object per key: `.first()` on a column that is unique (the primary key, or
  `unique=True` in the models) or with an ORDER BY, which the batch keeps (`setdefault`
  keeps the first row of each key in that order); `.one_or_none()` only on a unique
  column (several rows would raise per row); `.one()` and `.scalar_one()` raise
  NoResultFound for a missing key where a dict gives None or KeyError: reported, no fix;
- a None key: `Other.col == None` is `IS NULL` in SQL, so when both the row's key and
  `Other.col` are nullable there is no fix; otherwise a None key finds no row, as the dict
  (the IN leaves None out);
- a list per key keeps the query's ORDER BY within each key; a repeated key reads the
  same list object;
- the rows are iterated twice: a list (`rows = ....all()`) as it is; rows the loop takes
  straight from a query are listed first (`books = session.scalars(...).all()` before the
  batch), but not rows streamed (`yield_per`, `stream`) nor a result held in a variable;
- the key is a column of the rows of the compared column's kind, not assigned in the
  loop; the query reads no other name or attribute the loop assigns; the loop does not
  add to or remove from its own rows, and writes nothing through the session (a write
  would be autoflushed before a per-row query, not before the batch);
- a comprehension is evaluated first thing in its statement: a plain one, or the header
  of an `if` (not an `elif`), `for` or `with`; not a lambda's body, not a generator kept
  for later (one handed to a builtin such as `any()` or to `str.join` is consumed at
  once); the names the fix binds (`author_by_id`) must be free.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from fe_gen.codemods.analysis import meta
from fe_gen.codemods.analysis.queries import Resolver
from fe_gen.codemods.analysis.rows import Loop
from fe_gen.codemods.rules.base import Rule, RuleContext
from fe_gen.codemods.rules.fe103 import cases, lookup_cases
from fe_gen.codemods.rules.fe103.examine import Examiner


class NPlusOne(Rule):
    CODE = "FE103"
    NAME = "n-plus-one"
    MESSAGE = "one more query for every row of a query's results (N+1)"
    FIX = "sometimes"
    VALID = (*cases.VALID, *lookup_cases.VALID)  # in rules/fe103/, beside the machinery
    INVALID = (*cases.INVALID, *lookup_cases.INVALID)
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = meta.DEPENDENCIES

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._meta = meta.Meta(self, context.module)
        resolver = Resolver(self._meta, context.models, context.path, loading=True)
        self._examiner = Examiner(self._meta, resolver, context.module)
        self._migration = False

    def visit_Module(self, node: cst.Module) -> None:
        self._migration = meta.is_migration(node)

    def _check(self, loop: Loop) -> None:
        if self._migration:
            return
        for verdict in self._examiner.examine(loop):
            self.report(verdict.node, verdict.detail, verdict.fix, verdict.lines)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self._migration:
            for verdict in self._examiner.examine_route(node):
                self.report(verdict.node, verdict.detail, verdict.fix, verdict.lines)

    def visit_For(self, node: cst.For) -> None:
        self._check(Loop(node, node.target, node.iter, [node.body]))

    def _comprehension(
        self, node: cst.CSTNode, for_in: cst.CompFor, parts: list[cst.CSTNode]
    ) -> None:
        inner = [*for_in.ifs, *([for_in.inner_for_in] if for_in.inner_for_in else []), *parts]
        self._check(Loop(node, for_in.target, for_in.iter, inner))

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node, node.for_in, [node.elt])

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node, node.for_in, [node.elt])

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node, node.for_in, [node.elt])

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node, node.for_in, [node.key, node.value])
