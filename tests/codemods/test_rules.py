"""Every rule's own VALID / INVALID cases (Fixit style), and a meta-test on the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fe_gen.codemods.rules import ALL_RULES, RuleEntry
from fe_gen.codemods.rules.base import Invalid, Valid
from tests.codemods.conftest import check, fix

VALID = [
    pytest.param(entry, case, id=f"{entry.code}-{case.id}")
    for entry in ALL_RULES
    for case in entry.load().VALID
]
INVALID = [
    pytest.param(entry, case, id=f"{entry.code}-{case.id}")
    for entry in ALL_RULES
    for case in entry.load().INVALID
]


@pytest.mark.parametrize(("entry", "case"), VALID)
def test_valid(entry: RuleEntry, case: Valid) -> None:
    outcome = check(case.code, rules=[entry])
    assert outcome.error is None
    assert outcome.findings == []
    assert fix(case.code, unsafe=True, rules=[entry]) == case.code


@pytest.mark.parametrize(("entry", "case"), INVALID)
def test_invalid(entry: RuleEntry, case: Invalid) -> None:
    findings = check(case.code, rules=[entry]).findings
    assert [f.code for f in findings] == [entry.code]
    expected_fix = None if case.expected is None else ("unsafe" if case.unsafe else "safe")
    assert findings[0].fix == expected_fix
    if case.expected is None:
        assert fix(case.code, unsafe=True, rules=[entry]) == case.code
        return
    assert fix(case.code, unsafe=case.unsafe, rules=[entry]) == case.expected
    if case.unsafe:
        assert fix(case.code, rules=[entry]) == case.code  # not without --unsafe-fixes
    assert fix(case.expected, unsafe=True, rules=[entry]) == case.expected  # idempotent


@pytest.mark.parametrize("entry", ALL_RULES, ids=lambda e: e.code)
def test_rule_meta(entry: RuleEntry) -> None:
    rule = entry.load()
    assert re.fullmatch(r"FE\d{3}", rule.CODE) and entry.code == rule.CODE
    assert entry.name == rule.NAME
    module_file = Path(__import__(entry.module, fromlist=["_"]).__file__ or "")
    assert module_file.name == f"{rule.CODE.lower()}_{rule.NAME.replace('-', '_')}.py"
    assert rule.VALID and rule.INVALID
    assert any(case.expected is not None for case in rule.INVALID)
    doc = (rule.__module__ and __import__(entry.module, fromlist=["_"]).__doc__) or ""
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in doc
    if rule.FIX in {"unsafe", "sometimes"}:
        assert "## Fix safety" in doc


def test_codes_are_unique() -> None:
    codes = [entry.code for entry in ALL_RULES]
    assert len(codes) == len(set(codes))
