"""What a run knows of the whole project before any file is parsed: plain data, read once
from the bytes of the scanned files, that lets a rule's cheap pre-check rule out more."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

_RELATIONSHIP_WORDS = (b"relationship(", b"relation(", b"Relationship(", b"dynamic_loader(")
# `name = relationship(`, `name: Mapped[...] = db.relationship(`, `Model.name = relationship(`
# (its annotation may go on over lines that hold no `:`: the next attribute's has one)
_RELATIONSHIP = re.compile(
    rb"^(?=[ \t]*(?:\w+\.)*(\w+)[ \t]*(?::[^=\n]*(?:\n[^=:\n]*)*?)?=[ \t]*(?:\w+\.)*"
    rb"(?:relationship|relation|Relationship|dynamic_loader)\()",
    re.MULTILINE,
)
_DEF = re.compile(rb"def[ \t]+(\w+)")
_RELATIONSHIP_CALLS = {"relationship", "relation", "Relationship", "dynamic_loader"}


@dataclass(frozen=True)
class Hints:
    """`relationships`: every attribute name a relationship may be mapped under anywhere in
    the project (a superset), or None when the run cannot tell (it scans part of it)."""

    relationships: frozenset[str] | None = None


def relationship_names(sources: Iterable[bytes]) -> frozenset[str]:
    """Names assigned a `relationship(...)` in `sources`, and, in a file that declares
    attributes with `@declared_attr`, the functions that call one (a method may return it)."""
    names: set[bytes] = set()
    for source in sources:
        if not any(word in source for word in _RELATIONSHIP_WORDS):
            continue
        names.update(match.group(1) for match in _RELATIONSHIP.finditer(source))
        if b"declared_attr" in source:
            names.update(_declared(source))
    return frozenset(name.decode("ascii", "replace") for name in names)


def _declared(source: bytes) -> set[bytes]:
    """The functions of a file that call `relationship(...)` (a `@declared_attr` method
    returns one); every function's name when the file does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {match.group(1) for match in _DEF.finditer(source)}
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            func = inner.func if isinstance(inner, ast.Call) else None
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _RELATIONSHIP_CALLS:
                found.add(node.name.encode())
                break
    return found


def project_hints(sources: Iterable[bytes], whole: bool) -> Hints:
    """The hints for a run over `sources`; `whole`: they are every file of the project."""
    return Hints(relationship_names(sources) if whole else None)


NO_HINTS = Hints()  # a run that knows nothing of the project: every pre-check as wide as it goes
