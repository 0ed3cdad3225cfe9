"""Blank out what the rules do not need to see, keeping every line where it was.

LibCST parsing and metadata cost about 2 ms a line, so the rules analyse a *reduced*
source: the pre-check named the functions that may hold a finding and the names their
sites use; every other top-level statement, and every statement of those functions that
mentions none of the names, becomes a stub of the same height: `pass`, or a string
literal spanning the same lines (assigned to the name of a definition, which stays
bound). Line and column numbers therefore mean the same
thing in the reduced and the full source, and a fix made on the reduced source is carried
back by `merge` (line blocks the stubs never touch), or redone on the full source.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable

from fe_gen.codemods.fileio import split_lines
from fe_gen.codemods.rules import Needed

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class _Blanker:
    def __init__(self, text: str) -> None:
        self.lines = split_lines(text)

    def blank(self, statement: ast.stmt, stub: str = "pass") -> None:
        decorators = getattr(statement, "decorator_list", [])
        first = min([statement.lineno, *(d.lineno for d in decorators)])
        last = statement.end_lineno or statement.lineno
        column = statement.col_offset
        head, tail = self.lines[first - 1], self.lines[last - 1]
        end = statement.end_col_offset or 0
        if head[:column].strip() or (
            tail[end:].strip() and not tail[end:].lstrip().startswith("#")
        ):
            return  # shares a line with another statement: keep it
        if first == last:
            self.lines[first - 1] = head[:column] + stub + _ending(head)
            return
        # A string literal as tall as the statement: three nodes, however many lines.
        opener = stub.removesuffix("...") if stub.endswith("...") else ""
        self.lines[first - 1] = head[:column] + opener + '"""' + _ending(head)
        for index in range(first, last - 1):
            self.lines[index] = _ending(self.lines[index])
        self.lines[last - 1] = '"""' + _ending(tail)

    def text(self) -> str:
        return "".join(self.lines)


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    return "\n" if line.endswith(("\n", "\r")) else ""


def _stub(statement: ast.stmt) -> str:
    """`name = ...` keeps a definition's name bound without opening a scope (scope
    analysis costs per scope); anything else becomes `pass`."""
    if isinstance(statement, (*_FUNCTIONS, ast.ClassDef)):
        return f"{statement.name} = ..."
    return "pass"


def _names(statement: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            found.update(node.names)
    return found


def _bodies(statement: ast.stmt) -> Iterable[list[ast.stmt]]:
    for field in ("body", "orelse", "finalbody"):
        block = getattr(statement, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(statement, "handlers", []):
        yield handler.body


_KEPT = (ast.Continue, ast.Break, ast.Return, ast.Raise, ast.Global, ast.Nonlocal)
_WHOLE = (*_FUNCTIONS, ast.ClassDef, ast.For, ast.AsyncFor, ast.While)


def _thin(blanker: _Blanker, body: list[ast.stmt], names: frozenset[str]) -> None:
    """Blank the statements of `body` that mention none of `names`; loops (the shapes a
    rule matches) and control flow stay whole."""
    for statement in body:
        if isinstance(statement, _KEPT):
            continue
        if not _names(statement) & names:
            blanker.blank(statement, _stub(statement))
        elif not isinstance(statement, _WHOLE):
            for block in _bodies(statement):
                _thin(blanker, block, names)


def _unit(blanker: _Blanker, statement: ast.stmt, names: frozenset[str] | None) -> None:
    if names is not None and isinstance(statement, _FUNCTIONS):
        _thin(blanker, statement.body, names)


def _imports(statement: ast.stmt) -> bool:
    return any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(statement))


def reduce_source(text: str, tree: ast.Module, needed: Needed) -> str:
    """`text` with what the units in `needed` do not use blanked (see the module docstring)."""
    blanker = _Blanker(text)
    for statement in tree.body:
        if isinstance(statement, _FUNCTIONS):
            if statement.name in needed:
                _unit(blanker, statement, needed[statement.name])
            else:
                blanker.blank(statement, _stub(statement))
        elif isinstance(statement, ast.ClassDef):
            prefix = statement.name + "."
            if not any(unit.startswith(prefix) for unit in needed):
                blanker.blank(statement, _stub(statement))
                continue
            for member in statement.body:
                if isinstance(member, _FUNCTIONS):
                    unit = prefix + member.name
                    if unit in needed:
                        _unit(blanker, member, needed[unit])
                    else:
                        blanker.blank(member, _stub(member))
        elif "<module>" not in needed and _bodies_of(statement) and not _imports(statement):
            blanker.blank(statement)
    return blanker.text()


def _bodies_of(statement: ast.stmt) -> bool:
    return any(True for _ in _bodies(statement))


def merge(full: str, before: str, after: str) -> str | None:
    """Carry the change `before` -> `after` (both reduced) over to `full`.

    None when a changed block touches a line that differs between `full` and `before`
    (a stub), in which case the caller redoes the fix on the full source.
    """
    full_lines = split_lines(full)
    old = split_lines(before)
    new = split_lines(after)
    if len(full_lines) != len(old):
        return None
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(full_lines[i1:i2])
        elif full_lines[i1:i2] != old[i1:i2]:
            return None
        else:
            out.extend(new[j1:j2])
    return "".join(out)
