"""Which assignments of a local name may reach a use of it: the plain flow of a function
body (statement blocks, `if`/`else`, `for`/`while` loops), answered conservatively (it
may reach) for everything else.

LibCST's scopes tie a use to every assignment of its name above it in the function. Two
things cut that down here: a later plain assignment that every path to the use runs
through (`users = []` ... `users = query.all()` ... use) hides the earlier ones, and a use
above an assignment is reached by it only round a loop holding both.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import Access, Assignment

from fe_gen.codemods.analysis.meta import Meta

_LOOPS = (cst.For, cst.While)
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)
_BLOCKS = (cst.IndentedBlock, cst.Module, cst.SimpleStatementSuite)


class Reaching:
    def __init__(self, meta: Meta) -> None:
        self.meta = meta

    def reaching(self, use: cst.Name, assignments: Sequence[Assignment]) -> list[Assignment]:
        """The assignments among `assignments` (the use's referents) and the other plain
        assignments of the name in its scope that may reach `use`."""
        every = self._every(use.value, assignments)
        return [a for a in every if self.reaches(a, use, every)]

    def uses(self, assignment: Assignment, assignments: Sequence[Assignment]) -> list[Access]:
        """The uses of the name that `assignment` may reach."""
        every = self._every(assignment.name, [assignment, *assignments])
        return [
            access
            for access in assignment.references
            if not isinstance(access.node, cst.Name) or self.reaches(assignment, access.node, every)
        ]

    def _every(self, name: str, given: Sequence[Assignment]) -> list[Assignment]:
        """`given` and every other plain assignment of `name` in their scopes (LibCST ties
        a use to the assignments above it only, and one below may reach it round a loop,
        or hide one above from a later use)."""
        found = list(given)
        for scope in {id(a.scope): a.scope for a in given}.values():
            if name in scope.assignments:
                for other in scope.assignments[name]:
                    if isinstance(other, Assignment) and all(other is not a for a in found):
                        found.append(other)
        return found

    def reaches(
        self, assignment: Assignment, use: cst.Name, assignments: Sequence[Assignment]
    ) -> bool:
        if self.meta.scope(use) is not assignment.scope:
            return True  # a use in a nested scope: it may run at any time
        bound = self._bound_at(assignment)
        if bound is None:  # a binding fe-gen does not follow (`+=`, `with`, ...): unless
            node = assignment.node  # it comes after the use with no loop back to it
            if not isinstance(node, cst.CSTNode) or isinstance(node, cst.Param):
                return True
            after = self.meta.start(node) > self.meta.start(use)
            return not after or self._loop_around(node, use) is not None
        before = bound <= self.meta.start(use)
        loop = self._loop_around(assignment.node, use)
        if not before and loop is None:
            return False
        for other in assignments:  # one that every path from here to the use runs through
            if other is assignment or not self._dominates(other, use):
                continue
            if before:
                at = self._bound_at(other)
                if at is not None and bound < at:
                    return False
            elif loop is not None and self._inside(other.node, loop):
                return False
        return True

    def exclusive(self, one: cst.CSTNode, other: cst.CSTNode) -> bool:
        """Whether no run of the function reaches both: one in an `if` body and the other
        in its `else` (or `elif`), or one in an `if` body that ends in `return`/`raise`
        and the other after that `if` in the same block, outside any loop."""
        for first, second in ((one, other), (other, one)):
            for ancestor in self.meta.ancestors(first):
                if isinstance(ancestor, _SCOPES):
                    break
                if not isinstance(ancestor, cst.If) or not self._inside(first, ancestor.body):
                    continue
                if ancestor.orelse is not None and self._inside(second, ancestor.orelse):
                    return True
                if self._leaves(ancestor.body) and self._after(ancestor, second):
                    return True
        return False

    def _leaves(self, block: cst.BaseSuite) -> bool:
        """Whether a block always ends the function: its last statement returns or raises."""
        if not isinstance(block, cst.IndentedBlock) or not block.body:
            return False
        last = block.body[-1]
        if not isinstance(last, cst.SimpleStatementLine) or not last.body:
            return False
        return isinstance(last.body[-1], cst.Return | cst.Raise)

    def _after(self, statement: cst.If, node: cst.CSTNode) -> bool:
        """Whether `node` comes after `statement` in a block holding both, outside loops
        (a loop would run the `if` again after `node`)."""
        block = self.meta.parent(statement)
        if not isinstance(block, _BLOCKS) or not self._inside(node, block):
            return False
        if self._loops(statement):
            return False
        return self.meta.end(statement) <= self.meta.start(node)

    # -- positions and structure ---------------------------------------------------------

    def _bound_at(self, assignment: Assignment) -> tuple[int, int] | None:
        """Where the binding takes effect: after its statement (`x = ...`), or at the
        target of a `for` header; None for any other binding (parameters, imports, ...)."""
        node = assignment.node
        if not isinstance(node, cst.CSTNode) or isinstance(node, cst.Param):
            return None
        for ancestor in self.meta.ancestors(node):
            if isinstance(ancestor, cst.NamedExpr):
                return None  # `a or (x := b)`: may not run
            if isinstance(ancestor, cst.AnnAssign) and ancestor.value is None:
                return None  # `x: int` binds nothing
            if isinstance(ancestor, cst.Assign | cst.AnnAssign):
                return self.meta.end(ancestor)
            if isinstance(ancestor, cst.For) and self._is_target(node, ancestor):
                return self.meta.end(ancestor.target)
            if isinstance(ancestor, cst.BaseSmallStatement | cst.BaseCompoundStatement):
                return None
        return None

    def _is_target(self, node: cst.CSTNode, loop: cst.For) -> bool:
        return node is loop.target or self._inside(node, loop.target)

    def _dominates(self, assignment: Assignment, use: cst.Name) -> bool:
        """Whether every path from the function's start to `use` runs through the plain
        binding `assignment` (`x = ...` in a block holding the use, or the target of a
        `for` whose body holds it)."""
        node = assignment.node
        if not isinstance(node, cst.CSTNode) or self._bound_at(assignment) is None:
            return False
        for ancestor in self.meta.ancestors(node):
            if isinstance(ancestor, cst.For):
                return self._inside(use, ancestor.body)
            if isinstance(ancestor, cst.SimpleStatementLine):
                block = self.meta.parent(ancestor)
                if not isinstance(block, _BLOCKS) or not self._inside(use, block):
                    return False
                return self.meta.end(ancestor) <= self.meta.start(use)
        return False

    def _loop_around(self, node: cst.CSTNode, use: cst.CSTNode) -> cst.CSTNode | None:
        """The innermost loop of the function holding both `node` and `use`."""
        around = set(map(id, self._loops(node)))
        return next((loop for loop in self._loops(use) if id(loop) in around), None)

    def _loops(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        for ancestor in self.meta.ancestors(node):
            if isinstance(ancestor, _SCOPES):
                break
            if isinstance(ancestor, _LOOPS):
                found.append(ancestor)
        return found

    def _inside(self, node: cst.CSTNode, outer: cst.CSTNode) -> bool:
        return any(ancestor is outer for ancestor in self.meta.ancestors(node))
