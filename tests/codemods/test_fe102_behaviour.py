"""FE102 fixes run for real: same results from a seeded SQLite database, the same number
of statements, and the columns nobody reads no longer selected."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from tests.codemods.conftest import check, fix
from tests.codemods.test_fe101_behaviour import _module

MODELS = """\
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str | None]
    bio: Mapped[str]

"""
FUNCTIONS = {
    "names": "def names(s):\n    return [a.name for a in s.scalars(select(Author).order_by(Author.id))]\n",
    "legacy": (
        "def legacy(s):\n    out = {}\n"
        "    for a in s.query(Author).filter(Author.id > 2).all():\n"
        "        out[a.id] = (a.name.upper(), a.email or '-')\n    return out\n"
    ),
    "listed": (
        "def listed(s):\n    authors = s.scalars(select(Author)).all()\n"
        "    return sorted({a.email for a in authors if a.email})\n"
    ),
}


def _run(code: str, name: str) -> tuple[Any, list[str]]:
    module = _module(code, f"fe102_{name}")
    engine = create_engine("sqlite://")
    module.Base.metadata.create_all(engine)
    statements: list[str] = []
    with Session(engine) as session:
        session.add_all(
            module.Author(name=f"n{i}", email=None if i % 3 else f"{i}@x", bio="b" * 1000)
            for i in range(12)
        )
        session.commit()
    with Session(engine) as session:
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        result = getattr(module, name)(session)
    engine.dispose()
    return result, statements


@pytest.fixture(scope="module")
def programs() -> tuple[str, str]:
    original = MODELS + "\n\n".join(FUNCTIONS.values())
    return original, fix(original)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_same_results_without_the_unread_columns(programs: tuple[str, str], name: str) -> None:
    original, rewritten = programs
    before, before_sql = _run(original, name)
    after, after_sql = _run(rewritten, name)
    assert after == before
    assert len(after_sql) == len(before_sql) == 1
    assert "authors.bio" in before_sql[0] and "authors.bio" not in after_sql[0]


def test_every_function_got_a_safe_fix_and_a_second_run_changes_nothing(
    programs: tuple[str, str],
) -> None:
    original, rewritten = programs
    fe102 = [f.fix for f in check(original).findings if f.code == "FE102"]
    assert fe102 == ["safe"] * len(FUNCTIONS)  # `listed` has an FE101 finding too
    assert check(rewritten).findings == []
    assert fix(rewritten) == rewritten
