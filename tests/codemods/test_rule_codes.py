"""`--select` / `--ignore` accept every rule code fe-gen has, its prefixes and ALL."""

from __future__ import annotations

import pytest

from fe_gen.codemods.config import choose_rules, split_codes
from fe_gen.codemods.rules import ALL_RULES
from fe_gen.generator.errors import FeGenError

CODES = [rule.code for rule in ALL_RULES]


@pytest.mark.parametrize("code", CODES)
def test_every_code_selects_its_rule(code: str) -> None:
    assert [rule.code for rule in choose_rules([code], [])] == [code]


@pytest.mark.parametrize("code", CODES)
def test_every_code_can_be_ignored(code: str) -> None:
    assert [rule.code for rule in choose_rules(None, [code])] == [c for c in CODES if c != code]


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        pytest.param(["ALL"], CODES, id="all"),
        pytest.param(["FE"], CODES, id="prefix-fe"),
        pytest.param(["FE1"], CODES, id="prefix-fe1"),
        pytest.param(["FE10"], CODES, id="prefix-fe10"),
        pytest.param(split_codes(["fe101,FE103"]), ["FE101", "FE103"], id="comma-lowercase"),
    ],
)
def test_prefixes_and_all(select: list[str], expected: list[str]) -> None:
    assert [rule.code for rule in choose_rules(select, [])] == expected


def test_the_three_rules_are_registered() -> None:
    assert CODES == ["FE101", "FE102", "FE103"]


@pytest.mark.parametrize("code", ["FE104", "FE2", "XX", "E501"])
def test_unknown_codes_are_refused(code: str) -> None:
    with pytest.raises(FeGenError, match=f"unknown rule code {code!r}"):
        choose_rules([code], [])
    with pytest.raises(FeGenError, match=f"unknown rule code {code!r}"):
        choose_rules(None, [code])
