"""FE101 on queries that select columns: the row is the value under `.scalars()`, a Row
read as `row.col` or `row[0]` otherwise; DISTINCT commutes with a condition on the
selected values, so it no longer stops the fix."""

from __future__ import annotations

import pytest

from tests.codemods import conftest
from tests.codemods.test_fe101_cases import MODELS

check, fix = conftest.pinned("FE101")

FIXES = [
    pytest.param(
        "def f(session):\n    return [e for e in session.scalars(select(User.email)) if e is not None]\n",
        "def f(session):\n    return list(session.scalars(select(User.email).where(User.email.is_not(None))))\n",
        id="scalars-of-a-column",
    ),
    pytest.param(
        "def f(session):\n"
        "    return [r[0] for r in session.execute(select(User.email, User.age)) if r.age is not None and r[0] == 'x']\n",
        "def f(session):\n"
        "    return [\n"
        "        r[0]\n"
        "        for r in session.execute(\n"
        '            select(User.email, User.age).where(User.age.is_not(None), User.email == "x")\n'
        "        )\n"
        "    ]\n",
        id="rows-read-by-name-and-index",
    ),
    pytest.param(
        "def f(session):\n"
        "    return [r.email for r in session.query(User.email).distinct().all() if r.email != 'x']\n",
        "def f(session):\n"
        "    return [\n"
        "        r.email\n"
        '        for r in session.query(User.email).filter(User.email.is_distinct_from("x")).distinct().all()\n'
        "    ]\n",
        id="legacy-query-of-a-column-distinct",
    ),
    pytest.param(
        "def f(session):\n"
        "    roles = session.scalars(select(User.role).distinct()).all()\n"
        "    return [r for r in roles if r != 'admin']\n",
        "def f(session):\n"
        "    roles = session.scalars(select(User.role).where(User.role != 'admin').distinct()).all()\n"
        "    return roles\n",
        id="distinct-values-in-a-variable",
    ),
]

NOOP = [
    pytest.param(
        "def f(session):\n    return [e for e in session.scalars(select(User.email).limit(3)) if e]\n",
        id="limit",
    ),
    pytest.param(
        "def f(session, allowed):\n    return [u for u in session.scalars(select(User)) if u in allowed]\n",
        id="an-object-compared-whole",
    ),
    pytest.param(
        "def f(session):\n    return [r for r in session.execute(select(User.id, User.email)) if r]\n",
        id="a-row-is-always-true",
    ),
    pytest.param(
        "def f(session):\n    return [e for e in session.scalars(select(User, User.email)) if e.active]\n",
        id="a-class-and-a-column",
    ),
    pytest.param(
        "def f(session):\n    return [e for e in session.scalars(select(User.email).group_by(User.email)) if e]\n",
        id="group-by",
    ),
]

UNSAFE = [
    pytest.param(
        "def f(session):\n    return [n for n in session.scalars(select(User.name)) if n.startswith('a')]\n",
        "def f(session):\n"
        "    return list(\n"
        '        session.scalars(select(User.name).where(User.name.startswith("a", autoescape=True)))\n'
        "    )\n",
        id="startswith-on-the-value",
    ),
]


@pytest.mark.parametrize(("source", "expected"), FIXES)
def test_fe101_column_fixes(source: str, expected: str) -> None:
    assert [f.fix for f in check(MODELS + source).findings] == ["safe"]
    assert fix(MODELS + source) == MODELS + expected
    assert fix(MODELS + expected, unsafe=True) == MODELS + expected


@pytest.mark.parametrize("source", NOOP)
def test_fe101_column_noop(source: str) -> None:
    assert check(MODELS + source).findings == []


@pytest.mark.parametrize(("source", "expected"), UNSAFE)
def test_fe101_column_unsafe_fixes(source: str, expected: str) -> None:
    assert [f.fix for f in check(MODELS + source).findings] == ["unsafe"]
    assert fix(MODELS + source) == MODELS + source
    assert fix(MODELS + source, unsafe=True) == MODELS + expected
