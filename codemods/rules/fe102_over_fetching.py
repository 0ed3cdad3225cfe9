"""FE102 over-fetching: rows loaded whole when the code reads a few of their columns.

## What it does
Finds a `for` loop or a comprehension over the rows of a query fe-gen reads
(`session.scalars(select(M))`, `session.query(M)`, async or not) whose body uses each row
only to read known columns (`row.name`, `row.email`), and adds
`.options(load_only(M.name, M.email))` to the query. The primary key is always loaded.

## Why is this bad?
Every column of every row crosses the network and is turned into Python values: wide
text, JSON or binary columns cost the most, and the code never looks at them.

## Example
```python
emails = [user.email for user in session.scalars(select(User))]
```

## Use instead
```python
emails = [user.email for user in session.scalars(select(User).options(load_only(User.email)))]
```

## When it reports without a fix
When a row is handed whole to a function of the project, by its plain name, which
fe-gen follows one level (`describe(row)`, `describe(item=row)`, the function defined in
the same module or in a project module it is imported from) and that function, too,
reads only known columns of it: the finding names the columns read here and there, but
the loader option is left to you, as the function is shared with other callers and may
come to read more.

## When it stays quiet
When the rows escape where fe-gen cannot see: a row returned, appended, compared,
assigned to, read in a nested function or lambda or after the loop, read for anything
but a known column (a relationship, a property, a method, `getattr`), or handed to a
method, a class, a builtin, a decorated function, or a function that does any of that
with it (returns it, passes it on); a column value handed to a function fe-gen cannot see
(`delete_file(f.id)` may load the same object again, by its key, from the session's
identity map, and read a column left out: one query each); when the rows' list is used
anywhere else. Rows that are returned or handed to unknown code are most of the queries
of a real project, and what their callers read is unknown: reporting them would be
noise. Quiet too when the query already has loader options, or DISTINCT / GROUP BY;
when every column is read, or the columns left out are all narrow (numbers, booleans,
dates, keys): the saving is too small to be worth a change. Rows of a query built in
another module are not analysed, nor Alembic migrations.

## Fix safety
The fix is `load_only`, which keeps the rows the objects they were. Selecting the columns
instead (`select(M.name, M.email)`) would also skip building objects, but it is **unsafe**
(each row becomes a tuple, and the code that reads it must change): the finding names it
as the alternative, and fe-gen never writes it. `load_only` is safe in synchronous code:
the columns left out are deferred, and nothing in the function reads them. **Unsafe** in
an `async def`: the objects stay in the session's identity map, and a deferred column
read later in the request (where fe-gen cannot see) raises `MissingGreenlet` under
`AsyncSession` instead of loading.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from fe_gen.codemods.analysis import meta
from fe_gen.codemods.analysis.queries import Resolver
from fe_gen.codemods.analysis.rows import Loop
from fe_gen.codemods.rules.base import Invalid, Rule, RuleContext, Valid
from fe_gen.codemods.rules.fe102.examine import Examiner

_M = """\
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    bio: Mapped[str]
    books: Mapped[list["Book"]] = relationship()


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))


"""
_ORM = "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n"
_LOAD_ONLY = (
    "from sqlalchemy.orm import DeclarativeBase, Mapped, load_only, mapped_column, relationship\n"
)


def _valid(code: str, id: str) -> Valid:
    return Valid(_M + code, id)


def _invalid(code: str, expected: str | None, id: str, unsafe: bool = False) -> Invalid:
    after = None if expected is None else _M.replace(_ORM, _LOAD_ONLY) + expected
    return Invalid(_M + code, after, id, unsafe)


_LABEL = "def label(author):\n    return author.name.title()\n\n\n"


_VALID: list[Valid] = [
    _valid(
        "def f(session):\n"
        "    for a in session.scalars(select(Author)).all():\n"
        "        delete_author(a.id)\n",
        "a-key-handed-to-unknown-code-which-may-load-the-object-again",
    ),
    _valid(
        "def f(session):\n    return [(a.id, a.name, a.bio) for a in"
        " session.scalars(select(Author))]\n",
        "every-column-read",
    ),
    _valid(
        "def f(session):\n    return [(a.name, a.bio) for a in session.scalars(select(Author))]\n",
        "only-the-key-left-out",
    ),
    _valid(
        "def f(session):\n    return [show(a) for a in session.scalars(select(Author))]\n",
        "the-row-passed-to-a-function",
    ),
    _valid(
        "def f(session):\n    return [a for a in session.scalars(select(Author)) if a.name]\n",
        "the-row-itself-kept",
    ),
    _valid(
        "def f(session):\n    return [len(a.books) for a in session.scalars(select(Author))]\n",
        "a-relationship-read",
    ),
    _valid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    names = [a.name for a in authors]\n"
        "    return names, authors\n",
        "the-list-used-elsewhere",
    ),
    _valid(
        "def f(session):\n"
        "    for a in session.scalars(select(Author)):\n"
        "        print(a.name)\n"
        "    return a\n",
        "the-loop-variable-outlives-the-loop",
    ),
    _valid(
        "def f(session):\n"
        "    for a in session.scalars(select(Author)):\n"
        "        a.name = a.name.title()\n",
        "a-column-assigned",
    ),
    _valid(
        "def f(session):\n"
        "    return [a.name for a in session.scalars(select(Author).distinct())]\n",
        "distinct",
    ),
    _valid(
        "def f(session):\n    return [a.name for a in session.scalars(select(Author.name))]\n",
        "a-column-select-already",
    ),
    _valid(
        "def f(session):\n    return [lambda: a.name for a in session.scalars(select(Author))]\n",
        "read-in-a-lambda",
    ),
    _valid(
        "def keep(author):\n    return author\n\n\n"
        "def f(session):\n    return [keep(a) for a in session.scalars(select(Author))]\n",
        "handed-to-a-function-that-returns-the-row",
    ),
    _valid(
        "def show(author):\n    return render(author)\n\n\n"
        "def f(session):\n    return [show(a) for a in session.scalars(select(Author))]\n",
        "handed-to-a-function-that-passes-it-on",
    ),
    _valid(
        "def count(author):\n    return len(author.books)\n\n\n"
        "def f(session):\n    return [count(a) for a in session.scalars(select(Author))]\n",
        "handed-to-a-function-that-reads-a-relationship",
    ),
    _valid(
        "def pick(author, field):\n    return getattr(author, field)\n\n\n"
        "def f(session):\n    return [pick(a, 'name') for a in session.scalars(select(Author))]\n",
        "handed-to-a-function-that-uses-getattr",
    ),
    _valid(
        "def purge(author):\n    delete_files(author.id)\n\n\n"
        "def f(session):\n"
        "    for a in session.scalars(select(Author)):\n"
        "        purge(a)\n",
        "handed-to-a-function-that-hands-a-key-to-unknown-code",
    ),
    _valid(
        "@cache\n"
        + _LABEL
        + "def f(session):\n    return [label(a) for a in session.scalars(select(Author))]\n",
        "handed-to-a-decorated-function",
    ),
    _valid(
        "def f(session, view):\n"
        "    return [view.label(a) for a in session.scalars(select(Author))]\n",
        "handed-to-a-method",
    ),
    _valid(
        "def f(session):\n"
        "    return [getattr(a, 'name') for a in session.scalars(select(Author))]\n",
        "getattr-on-the-row",
    ),
    _valid(
        _LABEL + "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    names = [label(a) for a in authors]\n"
        "    return names, authors\n",
        "handed-and-the-list-returned",
    ),
]
_INVALID: list[Invalid] = [
    _invalid(
        "def f(session):\n    return [a.name for a in session.scalars(select(Author))]\n",
        "def f(session):\n"
        "    return [a.name for a in"
        " session.scalars(select(Author).options(load_only(Author.name)))]\n",
        "a-comprehension-reading-one-column",
    ),
    _invalid(
        "def f(session):\n"
        "    for a in session.query(Author).filter(Author.id > 3).all():\n"
        "        print(a.id, a.name.upper())\n",
        "def f(session):\n"
        "    for a in (\n"
        "        session.query(Author).filter(Author.id >"
        " 3).options(load_only(Author.id, Author.name)).all()\n"
        "    ):\n"
        "        print(a.id, a.name.upper())\n",
        "a-legacy-query-in-a-for-loop",
    ),
    _invalid(
        "async def f(session):\n"
        "    authors = (await session.scalars(select(Author))).all()\n"
        "    return {a.id: a.name for a in authors}\n",
        "async def f(session):\n"
        "    authors = (\n"
        "        await session.scalars(select(Author).options(load_only(Author.id, Author.name)))\n"
        "    ).all()\n"
        "    return {a.id: a.name for a in authors}\n",
        "async-is-unsafe",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    out = []\n"
        "    for a in session.scalars(select(Author)):\n"
        "        out.append({'id': a.id, 'name': a.name})\n"
        "    return out\n",
        "def f(session):\n"
        "    out = []\n"
        "    for a in session.scalars(select(Author).options(load_only(Author.id, Author.name))):\n"
        "        out.append({'id': a.id, 'name': a.name})\n"
        "    return out\n",
        "a-dict-of-its-columns-returned-is-no-escape",
    ),
    _invalid(
        _LABEL
        + "def f(session):\n    return [label(a) for a in session.scalars(select(Author))]\n",
        None,
        "handed-to-a-function-of-the-module-that-reads-columns-has-no-fix",
    ),
    _invalid(
        _LABEL + "def f(session):\n"
        "    out = []\n"
        "    for a in session.query(Author).all():\n"
        "        out.append({'id': a.id, 'label': label(author=a)})\n"
        "    return out\n",
        None,
        "handed-by-keyword-beside-columns-read-here-has-no-fix",
    ),
]


class OverFetching(Rule):
    CODE = "FE102"
    NAME = "over-fetching"
    MESSAGE = "whole rows are loaded for a few of their columns"
    FIX = "sometimes"
    VALID = _VALID
    INVALID = _INVALID
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = meta.DEPENDENCIES

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._meta = meta.Meta(self, context.module)
        resolver = Resolver(self._meta, context.models, context.path, loading=True)
        self._examiner = Examiner(self._meta, resolver)
        self._migration = False

    def visit_Module(self, node: cst.Module) -> None:
        self._migration = meta.is_migration(node)

    def _check(self, loop: Loop) -> None:
        if self._migration:
            return
        found = self._examiner.examine(loop)
        if found is not None:
            node, detail, fix = found
            self.report(node, detail, fix)

    def visit_For(self, node: cst.For) -> None:
        self._check(Loop(node, node.target, node.iter, [node.body]))

    def _comprehension(
        self, node: cst.CSTNode, for_in: cst.CompFor, parts: list[cst.CSTNode]
    ) -> None:
        if for_in.inner_for_in is None:
            self._check(Loop(node, for_in.target, for_in.iter, [*for_in.ifs, *parts]))

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node, node.for_in, [node.elt])

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node, node.for_in, [node.elt])

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node, node.for_in, [node.elt])

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node, node.for_in, [node.key, node.value])
