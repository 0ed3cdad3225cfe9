"""FE101 client-side-filter: rows fetched by a query, then filtered in Python.

## What it does
Finds rows fetched with SQLAlchemy (`session.scalars(select(M))`, `session.execute(...)`,
async or not, legacy `session.query(M).all()`, or columns: `select(M.col)` read as the
value under `.scalars()`, `row.col` or `row[0]` of a Row) and then filtered in Python by a
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
Queries with LIMIT, OFFSET, DISTINCT (of whole rows: on selected columns a condition
commutes with it), GROUP BY, a window or FOR UPDATE (a condition moved before them changes
which rows come back); rows also used unfiltered where the filter's path may also run
(which uses a list reaches is followed through the function's flow, not its name); a list
filtered once per pass of a loop (one query per group would be worse); a condition the
query already applies; rows from anything that is not a visible query; a condition that
reads no column of the row, only its Python code: methods called
(`if not e.can_display(user)`), properties and hybrids defined with `def` in the class
(`if u.is_admin`), the row or a column only handed to a function (`if check(u)`,
`if allowed(u, creds[u.id])`; a builtin such as `len(u.name)` still reads the column).
No query can take that
over, and `--check` stays green. A condition that reads a column next to such code
(`u.is_admin and u.active`), or a column of a related row (`u.team.name`), is still
reported, without a fix. A query built by a function of the same module gets its
criteria at the call site; one built in another module and finished here with `.all()`
is reported without a fix, and so are rows a function or class method of the module
fetches and returns whole (`User.all()`, whose query other callers share), and rows used
unfiltered on another, exclusive branch (`if flag: return users` / `else`, or after such
an early return).

## Fix safety
The fix is offered only when SQL selects exactly the rows Python kept, NULL included;
column types and nullability come from the models (`models_index`). `==`, `is None`,
`in` translate as they are; `!=`, `not in`, `not x` and truthiness do on NOT NULL
columns and take a NULL-aware form otherwise (`is_distinct_from`, `or_(x.is_(None), ...)`);
the truth of a string is `!= ""`, never `IS NOT NULL`. The fix is **unsafe** when:
- it orders (`<`, `>`...) a nullable column (Python raises on None, SQL skips the row), a
  string (collation order) or a column of unknown type;
- it uses `startswith`/`endswith` (LIKE ignores case on SQLite and MySQL);
- it compares for equality an Enum, JSON or custom-typed column (SQLAlchemy's Enum
  accepts a member's name as a string where Python's `==` would not; JSON compares
  documents);
- it tests a string column `in` a name or an attribute (`u.name in names`): if that
  value is a string, Python's `in` looks for a substring, and SQLAlchemy's `in_()` raises;
- it tests a nullable column `in`, or any column `not in`, a collection the code shows
  may hold None (a name bound to a literal or a default holding None, or annotated
  `list[int | None]`): Python's `None in ids` keeps the NULL rows where SQL's IN does not,
  and SQL's `NOT IN (NULL, ...)` keeps no row at all. A literal holding None gets no fix;
  a name with no such evidence is taken for a collection of values, as the contract of
  `in` has it;
- the compared value calls a function (run once per query instead of once per row);
- the result keeps one row of several by their order (`next(...)`, a dict keyed by a
  column that is not unique, `[...][0]`, `[...][:n]`) and the query has no ORDER BY:
  with a WHERE, the database may read the rows in another order (through an index);
- it would drop a comment.
There is no fix when a literal is not of the column's type (`u.score == "18"`,
`u.name == 5`, a float against a Numeric column): SQL converts one side to the other's
type, where Python's `==` is False and its `<` raises (and a float equals a Decimal only
if its binary value does); nor when the compared value names a mapped class
(`u.name == User.email`, `u.team_id == Team.id`): in SQL that reads the columns of the
row, or joins another table; nor when the query runs in a `with session.no_autoflush:`
block (the database may not hold the changes the objects in memory carry). A safe fix
still compares with the database's rules: `==` on strings follows the column's collation
(case-insensitive by default on MySQL and SQL Server). Without a model for the rows, or
for conditions that read a column beside what SQL cannot evaluate (a property, a
method, a relationship), FE101 reports without a fix.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from fe_gen.codemods.analysis import meta
from fe_gen.codemods.analysis.queries import Resolver
from fe_gen.codemods.rules.base import Invalid, Rule, RuleContext, Valid
from fe_gen.codemods.rules.fe101 import sites
from fe_gen.codemods.rules.fe101.examine import Examiner

_M = """\
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str | None]
    active: Mapped[bool]
    verified: Mapped[bool | None]
    age: Mapped[int | None]
    score: Mapped[int]
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    team: Mapped[Team | None] = relationship()

    @property
    def label(self) -> str:
        return self.name.title()

    def can_see(self, viewer: object) -> bool:
        return viewer is not None


"""
_OR = _M.replace("import ForeignKey, select", "import ForeignKey, or_, select")


def _valid(code: str, id: str) -> Valid:
    return Valid(_M + code, id)


def _invalid(code: str, expected: str | None, id: str, unsafe: bool = False) -> Invalid:
    prelude = _OR if expected is not None and "or_(" in expected else _M
    return Invalid(_M + code, None if expected is None else prelude + expected, id, unsafe)


_VALID: list[Valid] = [
    _valid(
        "def f(session, viewer):\n"
        "    return [u for u in session.scalars(select(User)) if not u.can_see(viewer)]\n",
        "only-a-method-of-the-row-is-called",
    ),
    _valid(
        "def f(session):\n    return [u for u in session.query(User).all() if u.label == 'X']\n",
        "only-a-property-of-the-row-is-read",
    ),
    _valid(
        "def f(session, viewer):\n"
        "    return [u for u in session.query(User) if u.label and not u.can_see(viewer)]\n",
        "only-a-property-and-a-method",
    ),
    _valid(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if check(u)]\n",
        "the-row-handed-to-a-function",
    ),
    _valid(
        "def f(session):\n"
        "    return [r for r in session.execute(select(User, Team)) if r.User.label == 'X']\n",
        "only-a-property-of-an-entity-of-a-row",
    ),
    _valid(
        "def f(session, creds):\n"
        "    return [u for u in session.scalars(select(User)) if not allowed(u, creds[u.id])]\n",
        "a-column-only-handed-to-a-function",
    ),
    _valid(
        "def f(session):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    return users, [u for u in users if u.active]\n",
        "unfiltered-rows-used-again",
    ),
    _valid(
        "def f(session):\n"
        "    return [u for u in session.scalars(select(User).limit(10)) if u.active]\n",
        "limit-changes-which-rows",
    ),
    _valid(
        "def f(session):\n"
        "    return [u for u in session.query(User).distinct().all() if u.active]\n",
        "distinct",
    ),
    _valid(
        "def f(session):\n"
        "    return [u for u in session.scalars(select(User).with_for_update()) if u.active]\n",
        "for-update",
    ),
    _valid(
        "def f(session):\n"
        "    users = session.scalars(select(User).where(User.active)).all()\n"
        "    return [u for u in users if u.active]\n",
        "condition-already-in-query",
    ),
    _valid(
        "def f(session, groups):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    return {g: [u for u in users if u.score == g] for g in groups}\n",
        "split-into-groups",
    ),
    _valid("def f(users):\n    return [u for u in users if u.active]\n", "rows-not-from-a-query"),
    _valid(
        "def f(session):\n"
        "    out = []\n"
        "    for u in session.scalars(select(User)):\n"
        "        if u.active:\n"
        "            out.append(u)\n"
        "    return out, u\n",
        "loop-variable-used-after",
    ),
    _valid(
        "def f(session, flag):\n    return [u for u in session.scalars(select(User)) if flag]\n",
        "condition-ignores-the-row",
    ),
    _valid(
        "def f(session):\n"
        "    rows = (u for u in session.scalars(select(User)) if u.active)\n"
        "    return rows\n",
        "lazy-generator-kept",
    ),
    _valid(
        "def f(session):\n"
        "    return [u for u in session.scalars(select(User)) if u.active]  # fe-gen: ignore\n",
        "suppressed",
    ),
]
_INVALID: list[Invalid] = [
    _invalid(
        "def f(session):\n"
        "    users = session.scalars(select(User)).all()\n"
        '    return [u for u in users if u.name == "ada"]\n',
        "def f(session):\n"
        '    users = session.scalars(select(User).where(User.name == "ada")).all()\n'
        "    return list(users)\n",
        "comprehension-eq",
    ),
    _invalid(
        'def f(session):\n    return [u for u in session.query(User).all() if u.email != "x"]\n',
        "def f(session):\n"
        '    return session.query(User).filter(User.email.is_distinct_from("x")).all()\n',
        "nullable-ne-is-distinct-from",
    ),
    _invalid(
        "def f(session):\n"
        "    out = []\n"
        "    for u in session.scalars(select(User)):\n"
        "        if u.email is None:\n"
        "            out.append(u.id)\n"
        "    return out\n",
        "def f(session):\n"
        "    out = []\n"
        "    for u in session.scalars(select(User).where(User.email.is_(None))):\n"
        "        out.append(u.id)\n"
        "    return out\n",
        "loop-append",
    ),
    _invalid(
        "def f(session, ids):\n"
        "    return list(filter(lambda u: u.id in ids, session.scalars(select(User))))\n",
        "def f(session, ids):\n"
        "    return list(session.scalars(select(User).where(User.id.in_(ids))))\n",
        "filter-lambda-in",
    ),
    _invalid(
        "def f(session, names):\n"
        "    return [u for u in session.scalars(select(User)) if u.email not in names]\n",
        "def f(session, names):\n"
        "    return list(\n"
        "        session.scalars(select(User).where(or_(User.email.is_(None),"
        " User.email.not_in(names))))\n"
        "    )\n",
        "in-a-name-that-may-be-a-string-is-unsafe",
        unsafe=True,
    ),
    _invalid(
        "async def f(db):\n"
        "    users = (await db.scalars(select(User))).all()\n"
        "    return [u for u in users if not u.verified]\n",
        "async def f(db):\n"
        "    users = (await db.scalars(select(User).where(User.verified.is_not(True)))).all()\n"
        "    return list(users)\n",
        "async-not-nullable-bool",
    ),
    _invalid(
        "def f(session):\n    return [u for u in session.query(User) if u.name and u.score]\n",
        "def f(session):\n"
        '    return list(session.query(User).filter(User.name != "", User.score != 0))\n',
        "truthiness-of-string-and-int",
    ),
    _invalid(
        "def f(db):\n"
        "    return [u for u in db.scalars(select(User)) if u.age is None or u.age > 65]\n",
        "def f(db):\n"
        "    return list(db.scalars(select(User).where(or_(User.age.is_(None), User.age > 65))))\n",
        "or-with-null-guard",
    ),
    _invalid(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.age > 65]\n",
        "def f(session):\n    return list(session.scalars(select(User).where(User.age > 65)))\n",
        "order-on-nullable-is-unsafe",
        unsafe=True,
    ),
    _invalid(
        "def _users(session):\n"
        "    return session.query(User).filter(User.active)\n\n\n"
        "def f(session):\n"
        "    return [u for u in _users(session).all() if u.score >= 10]\n",
        "def _users(session):\n"
        "    return session.query(User).filter(User.active)\n\n\n"
        "def f(session):\n"
        "    return _users(session).filter(User.score >= 10).all()\n",
        "query-built-by-a-function-of-the-module",
    ),
    _invalid(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.age == '18']\n",
        None,
        "literal-of-another-type-has-no-fix",
    ),
    _invalid(
        "def f(session):\n"
        "    return [u for u in session.scalars(select(User)) if u.email == User.name]\n",
        None,
        "value-naming-a-mapped-class-has-no-fix",
    ),
    _invalid(
        "def f(session, e):\n    return next(u for u in session.query(User) if u.email == e)\n",
        "def f(session, e):\n"
        "    return next(u for u in session.query(User).filter(User.email == e))\n",
        "next-over-an-unordered-query-is-unsafe",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    return [u for u in session.query(User).all() if u.label == 'X' and u.active]\n",
        None,
        "a-property-next-to-a-column-has-no-fix",
    ),
    _invalid(
        "def f(session):\n"
        "    return [u for u in session.query(User).all() if u.team.name == 'core']\n",
        None,
        "a-column-of-a-related-row-has-no-fix",
    ),
    _invalid(
        "def f(session):\n"
        "    rows = session.execute(select(User, Team))\n"
        "    return [r for r in rows if r.User.label == r.Team.name]\n",
        None,
        "a-property-beside-a-column-of-another-entity-of-a-row-has-no-fix",
    ),
    _invalid(
        "def f(session, viewer):\n"
        "    return [u for u in session.query(User).all() if u.can_see(viewer) and u.age]\n",
        None,
        "a-method-next-to-a-column-has-no-fix",
    ),
    _invalid(
        "def f(session):\n    return [u for u in session.query(User).all() if len(u.name) > 3]\n",
        None,
        "a-column-in-a-builtin-has-no-fix",
    ),
    _invalid(
        "def f(session, ids):\n"
        "    return [u for u in session.query(User).all() if u.id in wanted(ids)]\n",
        "def f(session, ids):\n"
        "    return session.query(User).filter(User.id.in_(wanted(ids))).all()\n",
        "a-column-compared-with-a-call-is-a-filter",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    return [u for u in session.query(User).all() if u.name.lower() == 'x']\n",
        None,
        "string-method-has-no-fix",
    ),
]


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
        self._meta = meta.Meta(self, context.module)
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
