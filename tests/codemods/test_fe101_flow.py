"""FE101 follows which assignment reaches a use, not names: an earlier binding of the same
name, a later loop reusing a loop variable, a use on an exclusive branch."""

from __future__ import annotations

import pytest

from tests.codemods import conftest
from tests.codemods.test_fe101_cases import MODELS

check, fix = conftest.pinned("FE101")

FIXES = [
    pytest.param(
        "def f(session):\n"
        "    users = []\n"
        "    print(users)\n"
        "    users = session.scalars(select(User)).all()\n"
        "    return [u for u in users if u.active]\n",
        "def f(session):\n"
        "    users = []\n"
        "    print(users)\n"
        "    users = session.scalars(select(User).where(User.active)).all()\n"
        "    return list(users)\n",
        id="an-earlier-list-of-the-same-name",
    ),
    pytest.param(
        "def f(session, groups):\n"
        "    for u in groups:\n"
        "        print(u)\n"
        "    out = []\n"
        "    for u in session.scalars(select(User)):\n"
        "        if u.active:\n"
        "            out.append(u)\n"
        "    for u in groups:\n"
        "        print(u)\n"
        "    return out\n",
        "def f(session, groups):\n"
        "    for u in groups:\n"
        "        print(u)\n"
        "    out = []\n"
        "    for u in session.scalars(select(User).where(User.active)):\n"
        "        out.append(u)\n"
        "    for u in groups:\n"
        "        print(u)\n"
        "    return out\n",
        id="loop-variable-reused-by-later-loops",
    ),
    pytest.param(
        "def f(session, flag, ids):\n"
        "    out = []\n"
        "    if flag:\n"
        "        users = session.query(User).filter_by(role='a').all()\n"
        "        for u in users:\n"
        "            if u.id not in ids:\n"
        "                out.append(u.id)\n"
        "    else:\n"
        "        users = session.query(User).filter_by(role='b').all()\n"
        "        print(users)\n"
        "    return out\n",
        "def f(session, flag, ids):\n"
        "    out = []\n"
        "    if flag:\n"
        "        users = session.query(User).filter_by(role='a').filter(User.id.not_in(ids)).all()\n"
        "        for u in users:\n"
        "            out.append(u.id)\n"
        "    else:\n"
        "        users = session.query(User).filter_by(role='b').all()\n"
        "        print(users)\n"
        "    return out\n",
        id="the-same-name-assigned-on-each-branch",
    ),
    pytest.param(
        "def f(session, more):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    users = [u for u in users if u.age is None]\n"
        "    users += more\n"
        "    return users\n",
        "def f(session, more):\n"
        "    users = session.scalars(select(User).where(User.age.is_(None))).all()\n"
        "    users = list(users)\n"
        "    users += more\n"
        "    return users\n",
        id="filtered-into-the-same-name-then-extended",
    ),
]

NOOP = [
    pytest.param(
        "def f(session, flag):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    if flag:\n"
        "        print(users)\n"
        "    return [u for u in users if u.active]\n",
        id="used-on-a-branch-that-may-run-first",
    ),
    pytest.param(
        "def f(session, flags):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    for flag in flags:\n"
        "        if flag:\n"
        "            return users\n"
        "        print([u for u in users if u.active])\n",
        id="an-early-return-inside-a-loop",
    ),
    pytest.param(
        "def f(session, more):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    for _ in more:\n"
        "        print([u for u in users if u.active])\n"
        "        users = more\n",
        id="reassigned-round-a-loop",
    ),
    pytest.param(
        "def f(session, flag):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    if flag:\n"
        "        users = []\n"
        "    return [u for u in users if u.active]\n",
        id="another-assignment-may-reach",
    ),
    pytest.param(
        "def f(session):\n"
        "    out = []\n"
        "    for u in session.scalars(select(User)):\n"
        "        if u.active:\n"
        "            out.append(u)\n"
        "    print(u)\n"
        "    for u in out:\n"
        "        print(u)\n"
        "    return out\n",
        id="loop-variable-read-before-a-later-loop",
    ),
]

NO_FIX = [
    pytest.param(
        "def f(session, flag):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    if flag:\n"
        "        return users\n"
        "    else:\n"
        "        return [u for u in users if u.active]\n",
        id="else-branch",
    ),
    pytest.param(
        "def f(session, flag):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    if flag:\n"
        "        return users\n"
        "    return [u for u in users if u.active]\n",
        id="after-an-early-return",
    ),
]


@pytest.mark.parametrize(("source", "expected"), FIXES)
def test_fe101_flow_fixes(source: str, expected: str) -> None:
    assert [f.fix for f in check(MODELS + source).findings] == ["safe"]
    assert fix(MODELS + source) == MODELS + expected
    assert fix(MODELS + expected, unsafe=True) == MODELS + expected


@pytest.mark.parametrize("source", NOOP)
def test_fe101_flow_noop(source: str) -> None:
    assert check(MODELS + source).findings == []


@pytest.mark.parametrize("source", NO_FIX)
def test_fe101_flow_reported_without_fix(source: str) -> None:
    findings = check(MODELS + source).findings
    assert [(f.code, f.fix) for f in findings] == [("FE101", None)]
    assert "is used on another branch" in findings[0].message
    assert fix(MODELS + source, unsafe=True) == MODELS + source


FETCHED = [
    pytest.param(
        "def all_users(session):\n"
        "    return session.scalars(select(User)).all()\n\n\n"
        "def f(session):\n"
        "    return [u for u in all_users(session) if u.active]\n",
        "`all_users()`",
        id="a-module-function",
    ),
    pytest.param(
        "def get_users(session):\n"
        "    return session.query(User).all()\n\n\n"
        "def f(session):\n"
        "    return [u for u in get_users(session) if u.active]\n",
        "`get_users()`",
        id="a-module-function-legacy",
    ),
    pytest.param(
        "class Repo:\n"
        "    @staticmethod\n"
        "    def everyone(session):\n"
        "        return session.query(User).all()\n\n\n"
        "def f(session):\n"
        "    users = Repo.everyone(session)\n"
        "    return [u for u in users if u.score > 3]\n",
        "`Repo.everyone()`",
        id="a-static-method-through-a-variable",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in User.every(session) if u.age is None]\n",
        "`User.every()`",
        id="a-classmethod-of-the-mapped-class",
    ),
]
_EVERY = (
    "\n    @classmethod\n    def every(cls, session):\n"
    "        return session.scalars(select(cls)).all()\n\n\n"
)


@pytest.mark.parametrize(("source", "where"), FETCHED)
def test_rows_a_function_fetches_are_reported_without_fix(source: str, where: str) -> None:
    models = MODELS.rstrip("\n") + _EVERY
    findings = check(models + source).findings
    assert [(f.code, f.fix) for f in findings] == [("FE101", None)]
    assert f"the rows come from {where}, which runs the query itself" in findings[0].message
    assert fix(models + source, unsafe=True) == models + source


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            "def some(session):\n    return session.scalars(select(User).limit(3)).all()\n\n\n"
            "def f(session):\n    return [u for u in some(session) if u.active]\n",
            id="the-function-limits-its-rows",
        ),
        pytest.param(
            "def some(session):\n    return session.scalars(select(User).where(User.active)).all()\n\n\n"
            "def f(session):\n    return [u for u in some(session) if u.active]\n",
            id="the-function-already-filters",
        ),
        pytest.param(
            "def some(session, viewer):\n    return session.scalars(select(User)).all()\n\n\n"
            "def f(session, viewer):\n    return [u for u in some(session, viewer) if u.can(viewer)]\n",
            id="only-a-method-of-the-row",
        ),
        pytest.param(
            "def some(users):\n    return users\n\n\n"
            "def f(users):\n    return [u for u in some(users) if u.active]\n",
            id="not-a-query",
        ),
    ],
)
def test_rows_a_function_fetches_noop(source: str) -> None:
    assert check(MODELS + source).findings == []
