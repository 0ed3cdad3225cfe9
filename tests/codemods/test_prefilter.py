"""The cheap tests say exactly what their plain regexes say, only faster; lines are Python's.

The text tests search for each shape by its first word and check the word boundary by
hand (a pattern starting with `\\b` or `^` is slow to search). The reference regexes below
are the plain spelling of the same shapes: on every input both must agree.
"""

from __future__ import annotations

import random
import re

import pytest

from fe_gen.codemods.fileio import split_lines
from fe_gen.codemods.rules.fe101 import prefilter
from tests.codemods.conftest import check

QUERY_WORDS = (b"select(", b".query", b".execute(", b".scalars(", b".exec(", b".stream", b").all()")
COMPREHENSION_TEXT = re.compile(
    rb"\bfor\b[^\n]*\bif\b|^[ \t]*if\b(?![^\n]*:[ \t]*(?:#[^\n]*)?\r?$)|\bfilter\(\s*lambda",
    re.MULTILINE,
)
LOOP_TEXT = re.compile(
    rb"\bfor\b[^\n]*:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*if\b"
    rb"|^[ \t]*for\b[^\n]*[(\[{,\\][ \t]*\r?$",
    re.MULTILINE,
)
UNIT_TEXT = re.compile(
    r"\bfor\b[^\n]*\bif\b|^[ \t]*if\b(?![^\n]*:[ \t]*(?:#[^\n]*)?\r?$)"
    r"|:[ \t]*(?:#[^\n]*)?\r?\n[ \t]*if\b|\bfilter\(\s*lambda",
    re.MULTILINE,
)


def reference_text(source: bytes) -> bool:
    if not any(word in source for word in QUERY_WORDS):
        return False
    if COMPREHENSION_TEXT.search(source) is not None:
        return True
    return b".append(" in source and LOOP_TEXT.search(source) is not None


CASES = [
    "x = session.query(U)\n[u for u in x if u.a]\n",
    "x = session.query(U)\n[u for u in x iff u.a]\n",
    "x = session.query(U)\n[u fore u in x if u.a]\n",
    "x = session.query(U)\nbefore = [u for_ u in x if u.a]\n",
    "x = session.query(U)\ntransfor u in x if u.a\n",
    "x = session.query(U)\n_for u in x if u.a\n",
    "x = session.query(U)\n9for u if\n",
    "for u in session.query(U) if u.a",
    "if session.query(U)",
    "if x:\n  session.query(U)\n",
    "session.query(U)\n  if u.a  # comment\n",
    "session.query(U)\n  if (u.a and\n",
    "session.query(U)\n  if u.a: # comment\n",
    "session.query(U)\r\n  if u.a:\r\n",
    "session.query(U)\r\n  if u.a\r\n",
    "list(filter(lambda u: u.a, session.query(U)))",
    "list(xfilter(lambda u: u.a, session.query(U)))",
    "list(filter(\n    lambda u: u.a, session.query(U)))",
    "list(_filter(lambda u: u.a, session.query(U)))\nfilter(lambda: 1)",
    "out = []\nfor u in session.query(U):\n    if u.a:\n        out.append(u)\n",
    "out = []\nfor u in session.query(U):  # c\n\n    # c\n    if u.a:\n        out.append(u)\n",
    "out = []\nxfor u in session.query(U):\n    if u.a:\n        out.append(u)\n",
    "out = []\nafor u in session.query(U):\n  if\nfor y in z:\n  if\nout.append(1)",
    "out = []\nfor u in session.query(\n    U):\n    if u.a:\n        out.append(u)\n",
    "out = []\n  for u in \\\n    session.query(U):\n    pass\nout.append(u)\n",
    "for x in y:\n  if z: out.append(session.execute(s))",
    "out.append(1)\nfor u in session.scalars(s):\n  pass\n",
    "é = session.query(U)\néfor u in x if u.a\n",
    "session.query(U)\nfor\u00e9 u in x if u.a\n",
]
FRAGMENTS = [
    "for", " u ", "in", " x", "if", "iff", "_", "a", "é", ":", "(", ")", "[", ",", "\\",
    " ", "\t", "\n", "\r\n", "\r", "#c", "filter(", "lambda", ".append(", "session.query(U)",
    ").all()", "select(", "\u2028", "\x0c",
]  # fmt: skip


def fuzz(count: int) -> list[str]:
    chooser = random.Random(101)
    return ["".join(chooser.choices(FRAGMENTS, k=chooser.randint(1, 30))) for _ in range(count)]


def agree(text: str) -> tuple[bool, bool]:
    data = text.encode()
    file_answer, unit_answer = reference_text(data), UNIT_TEXT.search(text) is not None
    assert prefilter.text_may_match(data) == file_answer, text
    assert prefilter.unit_text_may_match(text) == unit_answer, text
    return file_answer, unit_answer


@pytest.mark.parametrize("text", CASES)
def test_fast_text_tests_agree_with_the_plain_regexes(text: str) -> None:
    agree(text)


def test_fast_text_tests_agree_on_random_texts() -> None:
    answers = [agree(text) for text in fuzz(5000)]
    for found in zip(*answers, strict=True):
        assert 200 < sum(found) < 4800  # both answers well represented


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
