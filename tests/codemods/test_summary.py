"""The closing summary says what is still to do, not what was done."""

from __future__ import annotations

from pathlib import Path

from tests.codemods.test_engine import BAD, MODELS, optimize, write


def test_check_says_the_findings_are_fixable_not_fixed(project: Path) -> None:
    write(project, "app.py", MODELS + BAD)
    code, _, err = optimize("--check", ".")
    assert code == 1
    assert "(1 fixable by running `fe-gen optimize`)" in err
    assert "fixed by running" not in err


def test_select_accepts_every_rule_code(project: Path) -> None:
    write(project, "app.py", MODELS + BAD)
    for code in ("FE101", "FE103"):
        assert optimize("--check", "--select", code, ".")[0] in {0, 1}
        assert optimize("--check", "--ignore", code, ".")[0] in {0, 1}
