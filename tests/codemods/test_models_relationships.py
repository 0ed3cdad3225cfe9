"""The models index's relationships: target, collection or not, configured loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from fe_gen.codemods.models_index import ModelsIndex, RelationshipInfo
from fe_gen.codemods.sources import SourceSet

MODELS = """\
from typing import List, Optional

from sqlalchemy import Column, ForeignKey, Integer, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, dynamic_loader, relationship


class Base(DeclarativeBase):
    pass


tags = Table("tags", Base.metadata)


class Owned:
    @declared_attr
    def owner(cls) -> Mapped["Person"]:
        return relationship("Person", lazy="joined")


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)


class Book(Owned, Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped["Author"] = relationship(back_populates="books")
    editor: Mapped[Optional["Author"]] = relationship()
    reviewer: Mapped["Author | None"] = relationship(lazy="selectin")
    tags = relationship("Tag", secondary=tags)
    shelf = relationship("Shelf")
    cover = relationship("Cover", uselist=False, lazy=False)
    notes = dynamic_loader("Note")
    pages = relationship("Page", lazy=LAZY)
    chapters: Mapped[List["Chapter"]] = relationship(order_by="Chapter.number")
    prizes: Mapped[list["Prize"]] = relationship(lazy="raise")
    awards: Mapped[list["Award"]] = relationship(**EAGER)


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    books: Mapped[list[Book]] = relationship(back_populates="author")
"""
SQLMODEL = """\
from sqlmodel import Field, Relationship, SQLModel


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    heroes: list["Hero"] = Relationship(back_populates="team")


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team: Team | None = Relationship(back_populates="heroes")
    friends: list["Hero"] = Relationship(sa_relationship_kwargs={"lazy": "selectin"})
"""


def _index(tmp_path: Path, **files: str) -> ModelsIndex:
    return ModelsIndex(SourceSet({tmp_path / name: text.encode() for name, text in files.items()}))


@pytest.mark.parametrize(
    ("attr", "expected"),
    [
        pytest.param("author", ("Author", False, "select"), id="mapped-string"),
        pytest.param("editor", ("Author", False, "select"), id="optional-string"),
        pytest.param("reviewer", ("Author", False, "selectin"), id="union-in-a-string"),
        pytest.param("tags", ("Tag", True, "select"), id="secondary-is-a-collection"),
        pytest.param("shelf", ("Shelf", None, "select"), id="no-annotation-direction-unknown"),
        pytest.param("cover", ("Cover", False, "joined"), id="lazy-false-is-joined"),
        pytest.param("notes", ("Note", None, "dynamic"), id="dynamic-loader"),
        pytest.param("pages", ("Page", None, None), id="lazy-from-a-variable-is-unknown"),
        pytest.param("chapters", ("Chapter", True, "select"), id="typing-list"),
        pytest.param("prizes", ("Prize", True, "raise"), id="raise"),
        pytest.param("awards", ("Award", True, None), id="lazy-from-keyword-unpacking-is-unknown"),
        pytest.param("owner", ("Person", False, "joined"), id="declared-attr-in-a-mixin"),
    ],
)
def test_relationship_knowledge(
    attr: str, expected: tuple[str, bool | None, str | None], tmp_path: Path
) -> None:
    book = _index(tmp_path, **{"models.py": MODELS}).lookup("Book", None, tmp_path / "x.py")
    assert book is not None
    found = book.relationship(attr)
    assert found == RelationshipInfo(attr, *expected)
    assert found.loads_per_row == (expected[2] == "select")
    assert book.relationship("author_id") is None and book.column("author") is None


def test_targets_resolve_across_files_and_aliases(tmp_path: Path) -> None:
    authors = "from .base import Base\nfrom sqlalchemy.orm import Mapped\n\n\nclass Author(Base):\n    __tablename__ = 'a'\n    id: Mapped[int]\n"
    base = (
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    )
    books = (
        "from sqlalchemy.orm import Mapped, relationship\n\n"
        "from .authors import Author as Writer\nfrom .base import Base\n\n\n"
        "class Book(Base):\n    __tablename__ = 'b'\n    id: Mapped[int]\n"
        "    writer: Mapped[Writer] = relationship()\n"
        "    co: Mapped[list['Author']] = relationship()\n"
    )
    index = _index(tmp_path, **{"m/base.py": base, "m/authors.py": authors, "m/books.py": books})
    book = index.lookup("Book", None, tmp_path / "x.py")
    assert book is not None
    for attr in ("writer", "co"):
        relationship = book.relationship(attr)
        assert relationship is not None
        target = index.target(book, relationship)
        assert target is not None and target.name == "Author"


def test_sqlmodel_relationships(tmp_path: Path) -> None:
    index = _index(tmp_path, **{"heroes.py": SQLMODEL})
    hero = index.lookup("Hero", None, tmp_path / "x.py")
    team = index.lookup("Team", None, tmp_path / "x.py")
    assert hero is not None and team is not None
    assert hero.relationship("team") == RelationshipInfo("team", "Team", False, "select")
    assert hero.relationship("friends") == RelationshipInfo("friends", "Hero", True, "selectin")
    assert team.relationship("heroes") == RelationshipInfo("heroes", "Hero", True, "select")
