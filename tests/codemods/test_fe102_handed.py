"""FE102 follows rows handed to a function of another module, one level; its messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codemods.test_engine import optimize

MODELS = """\
from sqlalchemy import Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    bio: Mapped[str] = mapped_column(Text)
"""
VIEWS = """\
from sqlalchemy import select

from shop.models import Author
from shop.{module} import {function}


def names(session):
    return [{function}(a) for a in session.scalars(select(Author))]
"""
HELPERS = {
    "reads-a-column": "def label(author):\n    return author.name.title()\n",
    "returns-the-row": "def label(author):\n    return author\n",
    "passes-it-on": "from shop.render import show\n\n\ndef label(author):\n    return show(author)\n",
    "reads-the-wide-column-too": "def label(author):\n    return author.name + author.bio\n",
}


def _project(root: Path, helper: str, relative: bool = False) -> None:
    (root / "shop").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "models.py").write_text(MODELS)
    (root / "shop" / "helpers.py").write_text(helper)
    views = VIEWS.format(module="helpers", function="label")
    if relative:
        views = views.replace("from shop.helpers import", "from .helpers import")
    (root / "shop" / "views.py").write_text(views)


def _check(*args: str) -> tuple[int, str]:
    code, out, _ = optimize("--check", "--select", "FE102", *args)
    return code, out


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_helper_of_another_module_reading_columns_is_reported_without_a_fix(
    project: Path, relative: bool
) -> None:
    _project(project, HELPERS["reads-a-column"], relative)
    code, out = _check("shop")
    assert code == 1
    assert "shop/views.py:8:" in out and "FE102" in out
    assert "here and by `label()`" in out and "no fix" in out
    assert optimize("--unsafe-fixes", "shop")[0] == 1  # reported, nothing to apply
    assert "load_only" not in (project / "shop" / "views.py").read_text()


@pytest.mark.parametrize("helper", ["returns-the-row", "passes-it-on", "reads-the-wide-column-too"])
def test_a_helper_that_lets_the_row_escape_or_reads_everything_is_no_finding(
    project: Path, helper: str
) -> None:
    _project(project, HELPERS[helper])
    assert _check("shop") == (0, "")


def test_only_the_changed_file_given_still_finds_the_helper(project: Path) -> None:
    """pre-commit passes the changed files alone: the helper is read from the project."""
    _project(project, HELPERS["reads-a-column"])
    code, out = _check("shop/views.py")
    assert code == 1 and "here and by `label()`" in out


def test_a_fix_names_the_column_select_as_the_unsafe_alternative(project: Path) -> None:
    """Issue 12 item 3: load_only (safe) or a column select (unsafe: the row type changes)."""
    _project(project, HELPERS["reads-a-column"])
    views = project / "shop" / "views.py"
    views.write_text(views.read_text().replace("label(a)", "a.name"))
    code, out = _check("shop")
    assert code == 1
    assert "`.options(load_only(Author.name))`" in out
    assert "or select those columns (unsafe, not applied: the rows become tuples)" in out
