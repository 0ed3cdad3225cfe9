"""FE103's cases, run by tests/codemods/test_rules.py: sources it must leave alone (VALID)
and sources it must report, with the exact output of the fix or None (INVALID). They sit
beside the rule's machinery so that the rule's module stays a page of documentation."""

from __future__ import annotations

from fe_gen.codemods.rules.base import Invalid, Valid

_M = """\
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Country(Base):
    __tablename__ = "countries"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"))
    country: Mapped[Country] = relationship()
    books: Mapped[list["Book"]] = relationship(back_populates="author")
    prizes: Mapped[list["Book"]] = relationship(lazy="selectin", viewonly=True)


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")
    editor_id: Mapped[int | None]


"""


def _valid(code: str, id: str) -> Valid:
    return Valid(_M + code, id)


_ORM = "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n"


def _prelude(loaders: tuple[str, ...]) -> str:
    """The models importing `loaders` too, as ruff's isort writes the import."""
    names = ["DeclarativeBase", "Mapped", "mapped_column", "relationship", *loaders]
    names.sort(key=lambda name: (name[0].islower(), name))
    line = f"from sqlalchemy.orm import {', '.join(names)}\n"
    if len(line) > 101:
        line = "from sqlalchemy.orm import (\n" + "".join(f"    {n},\n" for n in names) + ")\n"
    return _M.replace(_ORM, line)


def _invalid(
    code: str, expected: str | None, id: str, loaders: tuple[str, ...] = (), unsafe: bool = False
) -> Invalid:
    fixed = None if expected is None else _prelude(loaders) + expected
    return Invalid(_M + code, fixed, id, unsafe)


_SCHEMAS = (
    "from pydantic import BaseModel\n\n\n"
    "class BookOut(BaseModel):\n"
    "    title: str\n\n\n"
    "class AuthorOut(BaseModel):\n"
    "    name: str\n"
    "    books: list[BookOut]\n\n\n"
)
VALID: list[Valid] = [
    _valid(
        _SCHEMAS + '@router.get("/authors/{id}", response_model=AuthorOut)\n'
        "def author(session, id):\n"
        "    return session.get(Author, id)\n",
        "a-route-answering-one-object",
    ),
    _valid(
        _SCHEMAS.replace("books: list[BookOut]", "titles: list[str]")
        + '@router.get("/authors", response_model=list[AuthorOut])\n'
        "def authors(session):\n"
        "    return session.scalars(select(Author)).all()\n",
        "a-response-nesting-no-relationship",
    ),
    _valid(
        _SCHEMAS + "def authors(session) -> list[AuthorOut]:\n"
        "    return session.scalars(select(Author)).all()\n",
        "not-a-route",
    ),
    _valid(
        'revision = "ce5c4ac967d8"\n'
        'down_revision = "3097592c0739"\n\n\n'
        "def upgrade(session):\n"
        "    for a in session.query(Author).all():\n"
        "        print(a.books)\n",
        "an-alembic-migration",
    ),
    _valid(
        "def f(session, authors):\n    return [a.books for a in authors]\n",
        "rows-from-a-parameter",
    ),
    _valid(
        "def f(session):\n    return [a.prizes for a in session.scalars(select(Author))]\n",
        "configured-selectin",
    ),
    _valid(
        "from sqlalchemy.orm import selectinload\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    return [a.books for a in"
        " session.scalars(select(Author).options(selectinload(Author.books)))]\n",
        "already-selectinload",
    ),
    _valid(
        "from sqlalchemy.orm import joinedload\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    return [a.books for a in"
        ' session.scalars(select(Author).options(joinedload("books")))]\n',
        "string-loader-option",
    ),
    _valid(
        "def f(session, options):\n"
        "    return [a.books for a in session.scalars(select(Author).options(*options))]\n",
        "options-from-a-variable",
    ),
    _valid(
        "def f(session, cache):\n"
        "    return [cache.get(a.id) for a in session.scalars(select(Author))]\n",
        "dict-get",
    ),
    _valid(
        "from sqlalchemy.orm import declared_attr\n"
        "\n"
        "\n"
        "class Tagged:\n"
        "    @declared_attr\n"
        '    def tagged(cls) -> Mapped[list["Book"]]:\n'
        '        return relationship("Book", lazy="selectin", viewonly=True)\n'
        "\n"
        "\n"
        "class Shelf(Tagged, Base):\n"
        '    __tablename__ = "shelves"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    return [s.tagged for s in session.scalars(select(Shelf))]\n",
        "eager-in-a-mixins-declared-attr",
    ),
    _valid(
        "def f(session):\n"
        "    return [(a.name, a.country_id) for a in session.scalars(select(Author))]\n",
        "only-columns-read",
    ),
    _valid(
        "def f(session, other):\n"
        "    for a in session.scalars(select(Author)):\n"
        "        a = other\n"
        "        print(a.books)\n",
        "loop-variable-rebound",
    ),
    _valid(
        "def f(session):\n    return [row.books for row in session.scalars(select(Author.name))]\n",
        "a-column-select",
    ),
    _valid(
        "def f(session):\n    return [lambda: a.books for a in session.scalars(select(Author))]\n",
        "read-in-a-lambda",
    ),
    _valid(
        "def f(session, country):\n"
        "    for a in session.scalars(select(Author)):\n"
        "        a.country = country\n",
        "relationship-assigned-not-read",
    ),
    _valid(
        "from sqlalchemy.orm import raiseload\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    return [a.books for a in"
        " session.scalars(select(Author).options(raiseload(Author.books)))]\n",
        "raiseload-chosen",
    ),
    _valid(
        "def f(session):\n    return [row.books for row in session.execute(select(Author))]\n",
        "row-tuples-of-execute",
    ),
    _valid(
        "class Shelf(Base):\n"
        '    __tablename__ = "shelves"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        '    books = relationship("Book", lazy=LAZY)\n'
        "\n"
        "\n"
        "def f(session):\n"
        "    return [s.books for s in session.scalars(select(Shelf))]\n",
        "lazy-not-a-literal",
    ),
    _valid(
        "def f(session, stmt):\n    return [a.books for a in session.scalars(stmt)]\n",
        "statement-from-a-parameter",
    ),
    _valid(
        "from sqlalchemy.orm import contains_eager\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    stmt = select(Author).join(Author.books).options(contains_eager(Author.books))\n"
        "    return [a.books for a in session.scalars(stmt)]\n",
        "contains-eager",
    ),
    _valid(
        "def f(session, d):\n"
        "    for a in session.scalars(select(Author)):\n"
        "        print(d.get(a.country_id))\n",
        "a-dicts-get-with-a-column",
    ),
]
INVALID: list[Invalid] = [
    _invalid(
        _SCHEMAS + '@router.get("/authors", response_model=list[AuthorOut])\n'
        "def authors(session):\n"
        "    return session.scalars(select(Author)).all()\n",
        _SCHEMAS + '@router.get("/authors", response_model=list[AuthorOut])\n'
        "def authors(session):\n"
        "    return session.scalars(select(Author).options(selectinload(Author.books))).all()\n",
        "a-route-whose-response-nests-a-relationship",
        ("selectinload",),
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for b in books:\n"
        "        print(session.get(Author, b.author_id))\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({b.author_id for b in books}))\n"
        "        )\n"
        "    }\n"
        "    for b in books:\n"
        "        print(author_by_id.get(b.author_id))\n",
        "get-per-row-becomes-one-in-query",
        unsafe=True,
    ),
    _invalid(
        "def f():\n"
        "    return [Book.query.filter_by(author_id=a.id).count() for a in Author.query.all()]\n",
        None,
        "flask-model-query-per-row-has-no-fix",
    ),
    _invalid(
        "from sqlalchemy import update\n\n\n"
        "def f(session):\n"
        "    for a in session.scalars(select(Author)):\n"
        '        session.execute(update(Book).where(Book.author_id == a.id).values(title="x"))\n',
        None,
        "a-write-per-row-has-no-fix",
    ),
    _invalid(
        "def f():\n"
        "    for author in Author.query.all():\n"
        "        for book in author.books:\n"
        "            delete_book(book.id)\n",
        "def f():\n"
        "    for author in Author.query.options(selectinload(Author.books)).all():\n"
        "        for book in author.books:\n"
        "            delete_book(book.id)\n",
        "flask-sqlalchemys-global-session-any-function-may-write",
        ("selectinload",),
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    for author in session.scalars(select(Author)):\n"
        "        refresh_books(author)\n"
        "        print(len(author.books))\n",
        "def f(session):\n"
        "    for author in session.scalars(select(Author).options(selectinload(Author.books))):\n"
        "        refresh_books(author)\n"
        "        print(len(author.books))\n",
        "a-row-handed-to-unknown-code-makes-it-unsafe",
        ("selectinload",),
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    for author in session.scalars(select(Author)):\n"
        "        print(author.name, len(author.books))\n",
        "def f(session):\n"
        "    for author in session.scalars(select(Author).options(selectinload(Author.books))):\n"
        "        print(author.name, len(author.books))\n",
        "collection-read-in-a-for-loop",
        ("selectinload",),
    ),
    _invalid(
        "def f(session):\n"
        "    return [(b.title, b.author.name) for b in session.scalars(select(Book)).all()]\n",
        "def f(session):\n"
        "    return [\n"
        "        (b.title, b.author.name)\n"
        "        for b in session.scalars(select(Book).options(joinedload(Book.author))).all()\n"
        "    ]\n",
        "many-to-one-in-a-comprehension-is-joined",
        ("joinedload",),
    ),
    _invalid(
        "def f(session):\n"
        "    return {b.id: b.author.country.name for b in session.scalars(select(Book))}\n",
        "def f(session):\n"
        "    return {\n"
        "        b.id: b.author.country.name\n"
        "        for b in session.scalars(\n"
        "            select(Book).options(joinedload(Book.author).joinedload(Author.country))\n"
        "        )\n"
        "    }\n",
        "nested-path-is-chained",
        ("joinedload",),
    ),
    _invalid(
        "def f(session):\n"
        "    for author in session.scalars(select(Author).order_by(Author.name)):\n"
        "        for book in author.books:\n"
        "            print(book.author.name)\n",
        "def f(session):\n"
        "    for author in session.scalars(\n"
        "        select(Author)\n"
        "        .order_by(Author.name)\n"
        "        .options(selectinload(Author.books).joinedload(Book.author))\n"
        "    ):\n"
        "        for book in author.books:\n"
        "            print(book.author.name)\n",
        "loop-over-a-collection-of-the-row",
        ("joinedload", "selectinload"),
    ),
    _invalid(
        "def f(session):\n"
        '    authors = session.query(Author).filter(Author.name != "").all()\n'
        "    return [a.country.name for a in authors]\n",
        "def f(session):\n"
        "    authors = (\n"
        "        session.query(Author).filter(Author.name !="
        ' "").options(joinedload(Author.country)).all()\n'
        "    )\n"
        "    return [a.country.name for a in authors]\n",
        "legacy-query-all-in-a-variable",
        ("joinedload",),
    ),
    _invalid(
        "def f(session, name):\n"
        "    stmt = select(Author).where(Author.name == name)\n"
        "    return [len(a.books) for a in session.scalars(stmt)]\n",
        "def f(session, name):\n"
        "    stmt = select(Author).where(Author.name == name)\n"
        "    return [len(a.books) for a in"
        " session.scalars(stmt.options(selectinload(Author.books)))]\n",
        "statement-in-a-variable",
        ("selectinload",),
    ),
    _invalid(
        "from sqlalchemy.orm import selectinload\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    stmt = select(Author).options(selectinload(Author.books))\n"
        "    return [(a.books, a.country) for a in session.scalars(stmt)]\n",
        "from sqlalchemy.orm import selectinload\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    stmt = select(Author).options(selectinload(Author.books))\n"
        "    return [(a.books, a.country) for a in"
        " session.scalars(stmt.options(joinedload(Author.country)))]\n",
        "added-beside-options-for-other-paths",
        ("joinedload",),
    ),
    _invalid(
        "from sqlalchemy.orm import selectinload\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    stmt = select(Author).options(selectinload(Author.books))\n"
        "    return [[b.author.name for b in a.books] for a in session.scalars(stmt)]\n",
        "from sqlalchemy.orm import selectinload\n"
        "\n"
        "\n"
        "def f(session):\n"
        "    stmt = select(Author).options(selectinload(Author.books))\n"
        "    return [\n"
        "        [b.author.name for b in a.books]\n"
        "        for a in"
        " session.scalars(stmt.options(defaultload(Author.books).joinedload(Book.author)))\n"
        "    ]\n",
        "a-settled-step-becomes-defaultload",
        ("defaultload", "joinedload"),
    ),
    _invalid(
        "def f(session):\n"
        "    return [b.author.name for b in session.scalars(select(Book).distinct())]\n",
        "def f(session):\n"
        "    return [\n"
        "        b.author.name\n"
        "        for b in"
        " session.scalars(select(Book).distinct().options(selectinload(Book.author)))\n"
        "    ]\n",
        "distinct-gets-no-join",
        ("selectinload",),
    ),
    _invalid(
        "def f(session):\n"
        "    for author in session.scalars(select(Author)).all():\n"
        "        session.add(Book(title=author.name, author_id=author.id))\n"
        "        print(len(author.books))\n",
        "def f(session):\n"
        "    for author in"
        " session.scalars(select(Author).options(selectinload(Author.books))).all():\n"
        "        session.add(Book(title=author.name, author_id=author.id))\n"
        "        print(len(author.books))\n",
        "a-write-in-the-loop-makes-it-unsafe",
        ("selectinload",),
        unsafe=True,
    ),
    _invalid(
        "async def f(session):\n"
        "    authors = (await session.scalars(select(Author))).all()\n"
        "    return {a.name: a.country for a in authors}\n",
        "async def f(session):\n"
        "    authors = (await"
        " session.scalars(select(Author).options(joinedload(Author.country)))).all()\n"
        "    return {a.name: a.country for a in authors}\n",
        "async-session",
        ("joinedload",),
    ),
    _invalid(
        "def f(session):\n"
        "    for author in session.scalars(select(Author)):\n"
        "        audit(session, author.id)\n",
        None,
        "the-session-handed-to-a-function-per-row",
    ),
    _invalid(
        "def f(session):\n    for author in session.query(Author):\n        print(author.books)\n",
        "def f(session):\n"
        "    for author in session.query(Author).options(selectinload(Author.books)):\n"
        "        print(author.books)\n",
        "legacy-query-iterated",
        ("selectinload",),
    ),
]
