"""FE103 fixes run for real: the original and the rewritten module against a seeded SQLite
database, same results, and the statements each runs counted with SQLAlchemy's
`before_cursor_execute` event. The rewritten code's count must not grow when the seeded
data doubles; the original's does (that is the N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from tests.codemods import conftest
from tests.codemods.test_fe101_behaviour import _module

check, fix = conftest.pinned("FE103")


MODELS = """\
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
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    country: Mapped[Country | None] = relationship()
    books: Mapped[list["Book"]] = relationship(back_populates="author", order_by="Book.id")


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")

"""
FUNCTIONS = {
    "collection": (
        "def collection(s):\n    out = []\n"
        "    for a in s.scalars(select(Author).order_by(Author.id)):\n"
        "        out.append((a.name, [b.title for b in a.books]))\n    return out\n"
    ),
    "many_to_one": (
        "def many_to_one(s):\n"
        "    return [(a.id, a.country and a.country.name) for a in s.scalars(select(Author))]\n"
    ),
    "chained": (
        "def chained(s):\n"
        "    books = s.scalars(select(Book).order_by(Book.id)).all()\n"
        "    return [(b.title, b.author.name, b.author.country_id and b.author.country.name)"
        " for b in books]\n"
    ),
    "nested_loop": (
        "def nested_loop(s):\n    out = []\n"
        "    for a in s.scalars(select(Author).where(Author.id > 1)):\n"
        "        for b in a.books:\n            out.append((b.id, b.author.name))\n"
        "    return sorted(out)\n"
    ),
    "legacy": (
        "def legacy(s):\n    authors = s.query(Author).filter(Author.name != '').all()\n"
        "    return {a.id: len(a.books) for a in authors}\n"
    ),
    "statement_var": (
        "def statement_var(s):\n    stmt = select(Book).where(Book.id % 2 == 0)\n"
        "    return sorted((b.id, b.author.id) for b in s.scalars(stmt))\n"
    ),
    "distinct": (
        "def distinct(s):\n"
        "    return sorted((b.id, b.author.name) for b in s.scalars(select(Book).distinct()))\n"
    ),
}
ASYNC = (
    "async def async_rows(s):\n"
    "    authors = (await s.scalars(select(Author).order_by(Author.id))).all()\n"
    "    return [(a.id, [b.id for b in a.books], a.country and a.country.name) for a in authors]\n"
)


def _seed(module: Any, scale: int) -> list[Any]:
    """`scale` countries; 3 authors each (one without a country); 0-2 books each."""
    rows: list[Any] = []
    for c in range(scale):
        country = module.Country(name=f"country {c}")
        rows.append(country)
        for a in range(3):
            author = module.Author(name=f"author {c}.{a}", country=country if a else None)
            rows.append(author)
            rows.extend(module.Book(title=f"book {c}.{a}.{b}", author=author) for b in range(a))
    return rows


def _run(code: str, name: str, scale: int) -> tuple[Any, int]:
    module = _module(code, f"fe103_{name}")
    engine = create_engine("sqlite://")
    module.Base.metadata.create_all(engine)
    statements: list[str] = []
    with Session(engine) as session:
        session.add_all(_seed(module, scale))
        session.commit()
    with Session(engine) as session:  # a fresh session: nothing in its identity map
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        result = getattr(module, name)(session)
    engine.dispose()
    return result, len(statements)


@pytest.fixture(scope="module")
def programs() -> tuple[str, str]:
    original = MODELS + "\n\n".join(FUNCTIONS.values())
    return original, fix(original)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_same_results_and_a_count_that_does_not_grow(programs: tuple[str, str], name: str) -> None:
    original, rewritten = programs
    before, before_small = _run(original, name, 3)
    after, after_small = _run(rewritten, name, 3)
    assert after == before
    assert _run(original, name, 6)[1] > before_small  # the N+1 the finding is about
    doubled, after_large = _run(rewritten, name, 6)
    assert after_large == after_small <= 3
    assert doubled == _run(original, name, 6)[0]


def test_every_function_got_a_safe_fix_and_a_second_run_changes_nothing(
    programs: tuple[str, str],
) -> None:
    original, rewritten = programs
    findings = check(original).findings
    assert [f.fix for f in findings] == ["safe"] * len(FUNCTIONS)
    assert check(rewritten).findings == []
    assert fix(rewritten) == rewritten


async def _run_async(code: str, scale: int) -> tuple[Any, int]:
    module = _module(code, "fe103_async")
    engine = create_async_engine("sqlite+aiosqlite://")
    statements: list[str] = []
    async with engine.begin() as connection:
        await connection.run_sync(module.Base.metadata.create_all)
    async with AsyncSession(engine) as session:
        session.add_all(_seed(module, scale))
        await session.commit()
    async with AsyncSession(engine) as session:
        event.listen(
            engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
        )
        result = await module.async_rows(session)
    await engine.dispose()
    return result, len(statements)


async def test_async_lazy_loads_raise_and_the_rewrite_loads_them() -> None:
    """Under AsyncSession the lazy load is refused (MissingGreenlet): the fix is the cure."""
    from sqlalchemy.exc import StatementError

    original = MODELS + ASYNC
    rewritten = fix(original)
    assert rewritten != original
    with pytest.raises(StatementError, match="greenlet_spawn"):  # wraps MissingGreenlet
        await _run_async(original, 2)
    small, small_count = await _run_async(rewritten, 2)
    large, large_count = await _run_async(rewritten, 4)
    assert len(large) == 2 * len(small) == 12
    assert small_count == large_count <= 3


GETS = """
def per_row_get(s):
    books = s.scalars(select(Book).order_by(Book.id)).all()
    out = []
    for book in books:
        author = s.get(Author, book.author_id)
        same = s.get(Author, book.author_id) is author
        out.append((book.title, author.name if author is not None else None, same))
    return out
"""


def _run_gets(code: str, scale: int) -> tuple[Any, int]:
    module = _module(code, "fe103_gets")
    engine = create_engine("sqlite://")
    module.Base.metadata.create_all(engine)
    statements: list[str] = []
    with Session(engine) as session:
        session.add_all(_seed(module, scale))
        session.add(module.Book(title="orphan", author_id=10_000))  # a key with no row
        session.commit()
    with Session(engine) as session:
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        result = module.per_row_get(session)
    engine.dispose()
    return result, len(statements)


def test_gets_per_row_become_one_in_query_with_missing_keys_and_duplicates_kept() -> None:
    original = MODELS + GETS
    assert [f.fix for f in check(original).findings] == ["unsafe"]
    assert fix(original) == original  # unsafe: only with --unsafe-fixes
    rewritten = fix(original, unsafe=True)
    assert "author_by_id.get(book.author_id)" in rewritten and ".in_(" in rewritten
    before, before_count = _run_gets(original, 3)
    after, after_count = _run_gets(rewritten, 3)
    assert after == before and ("orphan", None, True) in after
    assert _run_gets(original, 6)[1] > before_count
    assert _run_gets(rewritten, 6)[1] == after_count == 2
    assert fix(rewritten, unsafe=True) == rewritten


ROUTES = """
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

router = APIRouter()


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CountryRead(Orm):
    name: str


class BookRead(Orm):
    id: int
    title: str


class AuthorRead(Orm):
    id: int
    country: CountryRead | None
    books: list[BookRead]


@router.get("/authors", response_model=list[AuthorRead])
def list_authors(s):
    return s.scalars(select(Author).order_by(Author.id)).all()
"""


def _serve(code: str, scale: int) -> tuple[Any, int]:
    """The route's rows serialised with its response model, as FastAPI does after the
    function returned (the session still open), and the statements that took."""
    from pydantic import TypeAdapter

    module = _module(code, "fe103_routes")
    engine = create_engine("sqlite://")
    module.Base.metadata.create_all(engine)
    statements: list[str] = []
    with Session(engine) as session:
        session.add_all(_seed(module, scale))
        session.commit()
    with Session(engine) as session:
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        rows = module.list_authors(session)
        body = TypeAdapter(list[module.AuthorRead]).dump_python(
            TypeAdapter(list[module.AuthorRead]).validate_python(rows)
        )
    engine.dispose()
    return body, len(statements)


def test_a_route_whose_response_nests_relationships_loads_them_with_the_query() -> None:
    original = MODELS + ROUTES
    assert [f.fix for f in check(original).findings] == ["safe"]
    rewritten = fix(original)
    before, before_count = _serve(original, 3)
    after, after_count = _serve(rewritten, 3)
    assert after == before and len(after) == 9
    assert _serve(original, 6)[1] > before_count
    assert _serve(rewritten, 6)[1] == after_count <= 3
    assert fix(rewritten) == rewritten
