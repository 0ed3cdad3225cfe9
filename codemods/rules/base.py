"""What every rule shares: the finding it reports, the fix it may offer, and its test cases.

Rules only *report*. A finding may carry a fix: a list of edits, each naming a node of the
module and a function that rebuilds it, plus the imports the new code needs. The engine
applies the fixes it is allowed to (safe ones, and unsafe ones with `--unsafe-fixes`), so a
check run and a fix run execute exactly the same matching code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import libcst as cst
from libcst.metadata import ProviderT

if TYPE_CHECKING:
    from fe_gen.codemods.models_index import ModelsIndex


class Applicability(Enum):
    """Whether a fix may run without the user asking (ruff's safe / unsafe split)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace `node` (found by identity) with `rebuild(updated_node)`."""

    node: cst.CSTNode
    rebuild: Callable[[cst.CSTNode], cst.CSTNode]


@dataclass(frozen=True)
class Fix:
    """The edits of one finding, applied together or not at all."""

    edits: tuple[Edit, ...]
    applicability: Applicability
    imports: tuple[tuple[str, str], ...] = ()  # (module, name): `from module import name`
    note: str = ""  # why the fix is unsafe, shown in JSON output


@dataclass(frozen=True)
class Finding:
    """One report: where (a node of the analysed module), what, and how to fix it if we can."""

    code: str
    name: str
    message: str
    node: cst.CSTNode
    fix: Fix | None = None
    extra_lines: tuple[cst.CSTNode, ...] = ()  # nodes whose first line also takes a suppression


@dataclass(frozen=True)
class Valid:
    """Source the rule must not report."""

    code: str
    id: str = ""


@dataclass(frozen=True)
class Invalid:
    """Source the rule must report; `expected` is the output after fixing, or None if no fix.

    `unsafe` says the fix is expected to be unsafe (applied only with `--unsafe-fixes`).
    """

    code: str
    expected: str | None
    id: str = ""
    unsafe: bool = False


@dataclass
class RuleContext:
    """What a rule may read besides the module: its path and the models index."""

    path: Path
    models: ModelsIndex
    module: cst.Module  # the module being analysed (the reduced source)


class Rule(cst.BatchableCSTVisitor):
    """Base class: subclasses set the class attributes below and call `self.report`."""

    CODE: ClassVar[str]
    NAME: ClassVar[str]
    MESSAGE: ClassVar[str]
    FIX: ClassVar[str]  # "safe", "unsafe", "sometimes" or "none": the rule-level summary
    VALID: ClassVar[Sequence[Valid]]
    INVALID: ClassVar[Sequence[Invalid]]
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = ()

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.findings: list[Finding] = []

    def report(
        self,
        node: cst.CSTNode,
        detail: str = "",
        fix: Fix | None = None,
        extra_lines: tuple[cst.CSTNode, ...] = (),
    ) -> None:
        message = f"{self.MESSAGE} ({detail})" if detail else self.MESSAGE
        self.findings.append(Finding(self.CODE, self.NAME, message, node, fix, extra_lines))
