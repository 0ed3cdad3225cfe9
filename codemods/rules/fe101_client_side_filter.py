"""FE101 client-side-filter: rows fetched by a query, then filtered in Python.

## What it does
Finds rows fetched with SQLAlchemy (`session.scalars(select(M))`, `session.execute(...)`,
async or not, legacy `session.query(M).all()`) and then filtered in Python by a
comprehension, `filter(lambda ...)` or a `for ... if ...: append` loop, when the condition
reads only mapped columns of the row and values that do not depend on the row. The fix
moves the condition into the query's `.where(...)` (`.filter(...)` for a legacy Query) and
takes the Python filtering out.

## Why is this bad?
Every row crosses the network, is turned into an object and then thrown away. The
database can answer the condition with an index and send only the rows you keep.

## Example
```python
users = session.scalars(select(User)).all()
admins = [user for user in users if user.role == "admin"]
```

## Use instead
```python
users = session.scalars(select(User).where(User.role == "admin")).all()
admins = list(users)
```

## When it stays quiet
Queries with LIMIT, OFFSET, DISTINCT, GROUP BY, a window or FOR UPDATE (a condition moved
before them changes which rows come back); rows also used unfiltered elsewhere; a list
filtered once per pass of a loop (one query per group would be worse); a condition the
query already applies; rows from anything that is not a visible query.

## Fix safety
The fix is offered only when SQL selects exactly the rows Python kept, NULL included;
column types and nullability come from the models (`models_index`). `==`, `is None`,
`in` translate as they are; `!=`, `not in`, `not x` and truthiness do on NOT NULL
columns and take a NULL-aware form otherwise (`is_distinct_from`, `or_(x.is_(None), ...)`);
the truth of a string is `!= ""`, never `IS NOT NULL`. The fix is **unsafe** when:
- it orders (`<`, `>`...) a nullable column (Python raises on None, SQL skips the row), a
  string (collation order) or a column of unknown type;
- it uses `startswith`/`endswith` (LIKE ignores case on SQLite and MySQL);
- the compared value calls a function (run once per query instead of once per row);
- it would drop a comment.
A safe fix still compares with the database's rules: `==` on strings follows the column's
collation (case-insensitive by default on MySQL and SQL Server), and `in` a collection
holding None never matches NULL in SQL. Without a model for the rows, or for conditions
SQL cannot evaluate (properties, methods, relationships), FE101 reports without a fix.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from fe_gen.codemods.analysis import meta, sites
from fe_gen.codemods.analysis.fe101 import Examiner
from fe_gen.codemods.analysis.queries import Resolver
from fe_gen.codemods.rules.base import Invalid, Rule, RuleContext, Valid
from libcst.metadata import ProviderT

_VALID: list[Valid] = []
_INVALID: list[Invalid] = []


class ClientSideFilter(Rule):
    CODE = "FE101"
    NAME = "client-side-filter"
    MESSAGE = "rows fetched by a query are filtered in Python; filter them in the query"
    FIX = "sometimes"
    VALID = _VALID
    INVALID = _INVALID
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = meta.DEPENDENCIES

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._meta = meta.Meta(self)
        self._examiner = Examiner(self._meta, Resolver(self._meta, context.models, context.path))

    def _check(self, node: cst.CSTNode) -> None:
        for shape in sites.SHAPES:
            site = shape(node, self._meta)
            if site is not None:
                break
        else:
            return
        verdict = self._examiner.examine(site)
        if verdict is not None:
            statement = self._meta.statement(site.node)
            lines = (*site.lines, statement) if statement is not None else site.lines
            self.report(site.node, verdict.detail, verdict.fix, lines)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._check(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._check(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._check(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._check(node)

    def visit_Call(self, node: cst.Call) -> None:
        self._check(node)

    def visit_For(self, node: cst.For) -> None:
        self._check(node)
