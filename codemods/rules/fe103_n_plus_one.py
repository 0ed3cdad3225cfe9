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
- runs another query that depends on the row (`session.scalars(select(Other).where(
  Other.x == row.x))`, `session.query(Other)...`, `Other.query...`), writes per row
  (`update()`, `insert()`, `delete()`), or hands the session to a function with the row:
  reported, without a fix.

- is a FastAPI route (`@router.get(..., response_model=list[Schema])`, or a return
  annotation) that returns the rows of such a query while its response schema nests a
  relationship (`books: list[BookOut]`, nested schemas too): serialising the response
  lazy-loads it once per row after the function returned. The fix adds the eager loads
  to the query when the route (or a function of its module) builds it.

## Why is this bad?
One query for the rows, then one more per row: N+1 round trips where one or two would do.
Under `AsyncSession` the lazy load is not even allowed, and raises `MissingGreenlet`.

## Example
```python
for user in session.scalars(select(User)):
    print(user.name, len(user.posts))
```

## Use instead
```python
for user in session.scalars(select(User).options(selectinload(User.posts))):
    print(user.name, len(user.posts))
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
(`add`, `flush`, `commit`, `execute`...) between the query and the end of the loop,
or hands the session or a row to a function of code it cannot see (which may write);
otherwise safe. A nested path whose intermediate class this module does not import gets
no fix.

The `get` batching is always **unsafe**: an IN list longer than the driver's limit on
parameters (32,767 on asyncpg and SQLite) fails where one `get` per row did not. It is
offered only in a `for` loop over a list (`rows = ....all()`, iterated twice), with a key
that is a column of the rows of the primary key's type, a loop that neither assigns the
key nor writes, and a free name for the dict.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from fe_gen.codemods.analysis import meta
from fe_gen.codemods.analysis.queries import Resolver
from fe_gen.codemods.analysis.rows import Loop
from fe_gen.codemods.rules.base import Rule, RuleContext
from fe_gen.codemods.rules.fe103 import cases
from fe_gen.codemods.rules.fe103.examine import Examiner


class NPlusOne(Rule):
    CODE = "FE103"
    NAME = "n-plus-one"
    MESSAGE = "one more query for every row of a query's results (N+1)"
    FIX = "sometimes"
    VALID = cases.VALID  # in rules/fe103/cases.py, beside the rule's machinery
    INVALID = cases.INVALID
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
