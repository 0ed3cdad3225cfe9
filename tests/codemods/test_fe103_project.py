"""FE103 across files: models in one module, the loop in another, classes imported under
other names; the precheck keeps only the functions that loop over rows."""

from __future__ import annotations

import ast
from pathlib import Path

from fe_gen.codemods.rules.fe103 import prefilter
from tests.codemods.test_engine import optimize, write

MODELS = """\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")
"""
VIEWS = """\
from sqlalchemy import select

from app.models import Author as AuthorModel
from app.models import Book as BookModel


def titles(session):
    return [[b.author.id for b in a.books] for a in session.scalars(select(AuthorModel))]


def unknown(session):
    return [[b.author.id for b in a.books] for a in session.scalars(select(BookModel.id))]
"""
FIXED = """\
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.models import Author as AuthorModel
from app.models import Book as BookModel


def titles(session):
    return [
        [b.author.id for b in a.books]
        for a in session.scalars(
            select(AuthorModel).options(
                selectinload(AuthorModel.books).joinedload(BookModel.author)
            )
        )
    ]


def unknown(session):
    return [[b.author.id for b in a.books] for a in session.scalars(select(BookModel.id))]
"""


def test_aliases_across_modules_and_a_nested_path(project: Path) -> None:
    write(project, "app/__init__.py", "")
    write(project, "app/models.py", MODELS)
    views = write(project, "app/views.py", VIEWS)
    code, out, _ = optimize("--check", "--select", "FE103", ".")
    assert code == 1 and out.count("FE103") == 1 and "app/views.py:8:" in out
    assert optimize("--select", "FE103", ".")[0] == 1
    assert views.read_text() == FIXED
    assert optimize("--select", "FE103", ".")[0] == 0  # idempotent


def test_one_file_named_still_knows_the_relationships_of_the_project(project: Path) -> None:
    """pre-commit names the changed files only: the pre-check reads the relationship
    names from the rest of the project."""
    write(project, "app/__init__.py", "")
    write(project, "app/models.py", MODELS)
    write(project, "app/views.py", VIEWS)
    code, out, _ = optimize("--check", "--select", "FE103", "app/views.py")
    assert code == 1 and out.count("FE103") == 1 and "app/views.py:8:" in out


def test_precheck_names_only_functions_reading_their_rows() -> None:
    source = (
        "def a(s):\n    for r in s.scalars(q()):\n        print(r.x)\n\n\n"
        "def b(s):\n    for r in range(3):\n        print(r)\n\n\n"
        "def q():\n    return 1\n"
    )
    assert prefilter.text_may_match(source.encode())
    assert prefilter.candidates(ast.parse(source), source) == {"a": None, "q": None}
    assert not prefilter.text_may_match(b"def f():\n    return [x.y for x in z]\n")


def test_precheck_follows_a_query_built_in_steps() -> None:
    source = (
        "def a(flag):\n    q = Author.query\n    if flag:\n        q = q.filter(Author.x)\n"
        "    for r in q:\n        print(r.books)\n\n\n"
        "def b(rows):\n    for r in rows:\n        print(r.books)\n"
    )
    assert prefilter.candidates(ast.parse(source), source) == {"a": None}


SERVICE = """\
from app.models import Author


def get_all(session):
    return session.query(Author).filter(Author.id > 0)


def get_loaded(session, options):
    return session.query(Author).options(*options)
"""
CALLER = """\
from app import service


def titles(session):
    return [len(a.books) for a in service.get_all(session)]


def loaded(session):
    return [len(a.books) for a in service.get_loaded(session, [])]
"""


def test_a_query_built_in_another_module_is_reported_without_a_fix(project: Path) -> None:
    write(project, "app/__init__.py", "")
    write(project, "app/models.py", MODELS)
    write(project, "app/service.py", SERVICE)
    write(project, "app/views.py", CALLER)
    code, out, _ = optimize("--check", "--select", "FE103", ".")
    assert code == 1 and out.count("FE103") == 1 and "app/views.py:5:" in out
    assert "no fix: the query is built by `service.get_all()` in another module" in out
