"""The static models index: which classes are mapped, their columns, nullability, kinds."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from fe_gen.codemods.models_index import ModelInfo, ModelsIndex
from fe_gen.codemods.sources import SourceSet, _defined, module_matches

MODELS_20 = """\
import datetime as dt
from decimal import Decimal
from typing import Optional

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Stamped:
    created: Mapped[dt.datetime]
    note = Column(Text)


class Author(Stamped, Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str | None]
    nick: Mapped[Optional[str]] = mapped_column(nullable=False)
    price: Mapped[Decimal]
    legacy = Column(Integer, nullable=False)
    flag = Column(Boolean)
    pk_col = Column(Integer, primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    books: Mapped[list["Book"]] = relationship(back_populates="author")

    @property
    def display(self) -> str:
        return self.name


class Abstract(Base):
    __abstract__ = True


class NotMapped:
    id: int
"""
SQLMODEL = """\
from sqlmodel import Field, Relationship, SQLModel


class HeroBase(SQLModel):
    name: str
    secret: str | None = None


class Hero(HeroBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    age: int | None = Field(default=None, index=True)
    team: "Team" = Relationship()


class HeroRead(HeroBase):
    id: int
"""
LEGACY = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.ext.declarative import declarative_base

Base = declarative_base()


class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    title = Column("post_title", String(80), nullable=False)
"""
FLASK = """\
from app import db


class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    label = db.Column(db.String(20))
"""


def index(files: dict[str, str], root: Path) -> tuple[ModelsIndex, Path]:
    data = {root / name: text.encode() for name, text in files.items()}
    return ModelsIndex(SourceSet(data)), root


def lookup(files: dict[str, str], name: str, tmp_path: Path) -> ModelInfo | None:
    models, root = index(files, tmp_path)
    return models.lookup(name, None, root / "other.py")


def columns(model: ModelInfo | None) -> dict[str, tuple[bool, str]]:
    assert model is not None
    return {
        name: (info.nullable, info.kind)
        for name in model.attrs
        if (info := model.column(name)) is not None
    }


def test_declarative_2_0_columns_nullability_kinds_and_mixins(tmp_path: Path) -> None:
    model = lookup({"models.py": MODELS_20}, "Author", tmp_path)
    assert columns(model) == {
        "id": (False, "int"),
        "name": (False, "str"),
        "email": (True, "str"),
        "nick": (False, "str"),
        "price": (False, "numeric"),
        "legacy": (False, "int"),
        "flag": (True, "bool"),
        "pk_col": (False, "int"),
        "team_id": (True, "int"),
        "created": (False, "datetime"),
        "note": (True, "str"),
    }
    assert model is not None
    assert model.column("books") is None and model.attrs["books"].kind == "relationship"
    assert model.column("display") is None and model.attrs["display"].kind == "code"


@pytest.mark.parametrize("name", ["Base", "Abstract", "NotMapped", "Stamped", "Missing"])
def test_not_mapped(name: str, tmp_path: Path) -> None:
    assert lookup({"models.py": MODELS_20}, name, tmp_path) is None


def test_sqlmodel_tables_only(tmp_path: Path) -> None:
    files = {"heroes.py": SQLMODEL}
    assert columns(lookup(files, "Hero", tmp_path)) == {
        "id": (False, "int"),
        "age": (True, "int"),
        "name": (False, "str"),
        "secret": (True, "str"),
    }
    assert lookup(files, "HeroRead", tmp_path) is None


def test_legacy_declarative_base_and_flask(tmp_path: Path) -> None:
    assert columns(lookup({"posts.py": LEGACY}, "Post", tmp_path)) == {
        "id": (False, "int"),
        "title": (False, "str"),
    }
    assert columns(lookup({"tags.py": FLASK}, "Tag", tmp_path)) == {
        "id": (False, "int"),
        "label": (True, "str"),
    }


def test_bases_across_files_and_ambiguity(tmp_path: Path) -> None:
    base = (
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    )
    user = (
        "from sqlalchemy.orm import Mapped\n\nfrom app.db import Base\n\n\n"
        "class User(Base):\n    __tablename__ = 'u'\n    id: Mapped[int]\n"
    )
    other_base = "class Base:\n    pass\n"
    models, root = index(
        {"app/db.py": base, "app/user.py": user, "legacy/db.py": other_base}, tmp_path
    )
    assert columns(models.lookup("User", "app.user", root / "x.py")) == {"id": (False, "int")}
    # an unresolved base hides what it could define: attributes after it are unknown
    blocked = (
        "from lib import Mixin\nfrom app.db import Base\n\n\n"
        "class V(Base, Mixin):\n    __tablename__ = 'v'\n"
    )
    models, root = index({"app/db.py": base, "app/v.py": blocked}, tmp_path)
    assert models.lookup("V", None, root / "x.py") is not None


def test_module_matches() -> None:
    here = Path("/p/src/app/services/users.py")
    assert module_matches(Path("/p/src/app/models.py"), "app.models", here)
    assert module_matches(Path("/p/src/app/models/__init__.py"), "app.models", here)
    assert module_matches(Path("/p/src/app/services/models.py"), ".models", here)
    assert module_matches(Path("/p/src/app/models.py"), "..models", here)
    assert not module_matches(Path("/p/src/other/models.py"), "app.models", here)


DEFINES = re.compile(  # the plain spelling of what `_defined` finds, as the reference
    rb"^[ \t]*class[ \t]+(\w+)"
    rb"|^(\w+)[ \t]*(?::[^=\n]*)?=[^\n]*(?:declarative_base|generate_base)\(",
    re.MULTILINE,
)
PIECES = [
    b"class", b" ", b"\t", b"\n", b"X", b"Base", b"=", b":", b"declarative_base(",
    b"generate_base(", b"sub", b"#", b"_", b"()", b"\r\n",
]  # fmt: skip


def test_defined_names_are_those_the_plain_regex_finds() -> None:
    chooser = random.Random(7)
    texts = [b"".join(chooser.choices(PIECES, k=chooser.randint(1, 25))) for _ in range(5000)]
    texts += [b"class A:\n  class B(A): pass\nsubclass C\nBase = declarative_base()\n"]
    for text in texts:
        expected = [(m.group(1) or m.group(2)).decode() for m in DEFINES.finditer(text)]
        assert Counter(_defined(text)) == Counter(expected), text
    assert sorted(_defined(texts[-1])) == ["A", "B", "Base"]
