"""The rule registry: what the engine needs before paying for LibCST.

Each entry names its rule's code, its module and its two cheap tests (text, stdlib AST),
so a run over a clean tree never imports LibCST. `load()` imports the rule class itself;
a meta-test checks that entry and class agree.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fe_gen.codemods.hints import Hints
from fe_gen.codemods.rules.fe101 import prefilter
from fe_gen.codemods.rules.fe103 import prefilter as fe103_prefilter

if TYPE_CHECKING:
    from fe_gen.codemods.rules.base import Rule


# unit ("f", "Class.method", "<module>") -> names its sites use, or None to keep it whole
Needed = dict[str, frozenset[str] | None]


@dataclass(frozen=True)
class RuleEntry:
    code: str
    name: str
    module: str
    cls: str
    prefilter: Callable[[bytes], bool]
    precheck: Callable[[ast.Module, str, Hints], Needed | None]  # (tree, source, hints)

    def load(self) -> type[Rule]:
        rule: type[Rule] = getattr(importlib.import_module(self.module), self.cls)
        return rule


ALL_RULES: tuple[RuleEntry, ...] = (
    RuleEntry(
        code="FE101",
        name="client-side-filter",
        module="fe_gen.codemods.rules.fe101_client_side_filter",
        cls="ClientSideFilter",
        prefilter=prefilter.text_may_match,
        precheck=prefilter.candidates,
    ),
    RuleEntry(
        code="FE102",
        name="over-fetching",
        module="fe_gen.codemods.rules.fe102_over_fetching",
        cls="OverFetching",
        # FE103's text test: a loop over the rows of a query, reading them
        prefilter=fe103_prefilter.text_may_match,
        precheck=fe103_prefilter.over_fetching,
    ),
    RuleEntry(
        code="FE103",
        name="n-plus-one",
        module="fe_gen.codemods.rules.fe103_n_plus_one",
        cls="NPlusOne",
        prefilter=fe103_prefilter.text_may_match,
        precheck=fe103_prefilter.candidates,
    ),
)
