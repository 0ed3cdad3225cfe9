"""Lines are counted as Python counts them, so line numbers mean the same everywhere."""

from __future__ import annotations

import re

import pytest

from fe_gen.codemods.fileio import split_lines
from tests.codemods.conftest import check


@pytest.mark.parametrize(
    "text",
    ["", "a", "a\n", "a\r\nb\rc\n\nd", "x\x0cy\nz", "a\u2028b\r\n\r\n", "\x0c\n", "a\x85b\x1c"],
)
def test_lines_break_where_python_breaks_them(text: str) -> None:
    lines = split_lines(text)
    assert "".join(lines) == text
    assert all(re.fullmatch(r"[^\r\n]*(\r\n|\r|\n)?", line) for line in lines)
    breaks = len(re.findall(r"\r\n|\r|\n", text))
    assert len(lines) == breaks + (text != "" and text[-1] not in "\r\n")


MODELS = """\
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
"""
SITE = (
    '\n\ndef f(session):\n    return [u for u in session.scalars(select(User)) if u.name == "x"]\n'
)


@pytest.mark.parametrize(
    "between",
    [
        pytest.param("\x0c\n", id="form-feed-page-break"),
        pytest.param("# \x0c\x0c\x0c\n", id="form-feeds-in-a-comment"),
        pytest.param("NOTE = 'a\u2028b\u2028c\x85d'\n", id="line-separators-in-a-string"),
    ],
)
def test_separators_that_python_does_not_break_at_keep_the_lines_in_place(between: str) -> None:
    source = MODELS + between + SITE
    findings = check(source).findings
    line = split_lines(source).index(SITE.splitlines(keepends=True)[-1]) + 1
    assert [(f.code, f.line) for f in findings] == [("FE101", line)]
    suppressed = source.replace('== "x"]', '== "x"]  # fe-gen: ignore[FE101]')
    assert check(suppressed).findings == []
