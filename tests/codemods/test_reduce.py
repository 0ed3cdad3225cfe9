"""The reduced source the rules see changes nothing they report or fix, and keeps lines."""

from __future__ import annotations

import ast

import pytest

from fe_gen.codemods import runner
from fe_gen.codemods.reduce import merge, reduce_source
from fe_gen.codemods.rules import ALL_RULES
from tests.codemods import test_fe101_behaviour, test_fe101_cases
from tests.codemods.conftest import check, fix

CORPUS = [
    *(case.code for entry in ALL_RULES for case in entry.load().VALID),
    *(case.code for entry in ALL_RULES for case in entry.load().INVALID),
    *(test_fe101_cases.MODELS + p.values[0] for p in test_fe101_cases.NOOP),
    *(test_fe101_cases.MODELS + p.values[0] for p in test_fe101_cases.FIXES),
    *(test_fe101_cases.MODELS + p.values[0] for p in test_fe101_cases.UNSAFE),
    *(test_fe101_cases.MODELS + p.values[0] for p in test_fe101_cases.NO_FIX),
    test_fe101_behaviour.MODELS + "\n\n".join(test_fe101_behaviour.FUNCTIONS.values()),
]


@pytest.mark.parametrize("source", CORPUS)
def test_reduction_changes_no_finding_and_no_fix(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reduced = (check(source).findings, fix(source, unsafe=True))
    monkeypatch.setattr(runner, "REDUCE", False)
    assert (check(source).findings, fix(source, unsafe=True)) == reduced


SOURCE = """\
import os
from sqlalchemy import select


def unrelated(a, b):
    '''A long function.'''
    x = [
        a,
        b,
    ]
    return x


def target(session, q):
    noise = os.getcwd()
    rows = session.scalars(select(User)).all()
    if noise:
        print(noise)
    return [r for r in rows if r.x == q]
"""


def test_stubs_keep_every_line_in_place() -> None:
    needed = {"target": frozenset({"rows", "r", "q", "select", "User"})}
    reduced = reduce_source(SOURCE, ast.parse(SOURCE), needed)
    assert len(reduced.splitlines()) == len(SOURCE.splitlines())
    ast.parse(reduced)
    kept = [a for a, b in zip(SOURCE.splitlines(), reduced.splitlines(), strict=True) if a == b]
    assert "    rows = session.scalars(select(User)).all()" in kept
    assert "    return [r for r in rows if r.x == q]" in kept
    assert "    noise = os.getcwd()" not in kept
    assert 'unrelated = """' in reduced  # the name stays bound


def test_merge_carries_a_change_back_and_refuses_to_touch_stubs() -> None:
    full = "a\nhidden\nc\n"
    before = "a\npass\nc\n"
    assert merge(full, before, "a\npass\nC\n") == "a\nhidden\nC\n"
    assert merge(full, before, "a\nX\nc\n") is None
