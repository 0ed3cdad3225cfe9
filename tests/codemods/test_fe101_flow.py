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
        "    users = session.scalars(select(User).where(User.active.is_(True))).all()\n"
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
        "    for u in session.scalars(select(User).where(User.active.is_(True))):\n"
        "        out.append(u)\n"
        "    for u in groups:\n"
        "        print(u)\n"
        "    return out\n",
        id="loop-variable-reused-by-later-loops",
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
