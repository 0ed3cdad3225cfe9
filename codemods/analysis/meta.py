"""A small facade over a visitor's LibCST metadata, plus node helpers the analyses share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

import libcst as cst
from libcst.metadata import (
    Assignment,
    PositionProvider,
    Scope,
    ScopeProvider,
)

DEPENDENCIES = (ScopeProvider, PositionProvider)
FUNCTIONS = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)
COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


class Meta:
    """Metadata lookups for the nodes of the module a rule is visiting."""

    def __init__(self, visitor: cst.MetadataDependent, module: cst.Module) -> None:
        self._visitor = visitor
        self._module = module
        self._parents: dict[int, cst.CSTNode] | None = None

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        if self._parents is None:
            self._parents = _shared_parents(self._module)
        return self._parents.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    def scope(self, node: cst.CSTNode) -> Scope | None:
        scope = self._visitor.get_metadata(ScopeProvider, node, None)
        return scope if isinstance(scope, Scope) else None

    def qualified(self, node: cst.CSTNode) -> set[str]:
        """Qualified names of a Name/Attribute, asked of its scope only when needed
        (QualifiedNameProvider would compute them for every node of the module)."""
        scope = self.scope(node)
        if scope is None:
            return set()
        return {name.name for name in scope.get_qualified_names_for(node)}

    def start(self, node: cst.CSTNode) -> tuple[int, int]:
        position = self._visitor.get_metadata(PositionProvider, node)
        return (position.start.line, position.start.column)

    def end(self, node: cst.CSTNode) -> tuple[int, int]:
        position = self._visitor.get_metadata(PositionProvider, node)
        return (position.end.line, position.end.column)

    def statement(self, node: cst.CSTNode) -> cst.BaseStatement | None:
        """The statement (line or compound) holding `node`."""
        for candidate in (node, *self.ancestors(node)):
            if isinstance(candidate, cst.SimpleStatementLine | cst.BaseCompoundStatement):
                return candidate
        return None

    def function(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The innermost def, lambda, class or module around `node`."""
        return next((a for a in self.ancestors(node) if isinstance(a, FUNCTIONS)), None)

    def assignments(self, name: cst.Name) -> list[Assignment] | None:
        """The assignments an access `name` may refer to; None if any is not a plain one."""
        scope = self.scope(name)
        if scope is None:
            return None
        for access in scope.accesses[name.value]:
            if access.node is name:
                found = list(access.referents)
                if found and all(isinstance(a, Assignment) for a in found):
                    return [a for a in found if isinstance(a, Assignment)]
                return None
        return None

    def assigned_value(self, assignment: Assignment) -> cst.BaseExpression | None:
        """The value of `name = value` / `name: T = value`, None for other kinds of binding."""
        target = assignment.node
        parent = self.parent(target)
        if isinstance(parent, cst.AssignTarget):
            statement = self.parent(parent)
            if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                return statement.value
        if isinstance(parent, cst.AnnAssign) and parent.target is target:
            return parent.value
        return None


_LAST_PARENTS: list[tuple[cst.Module, dict[int, cst.CSTNode]]] = []


def _shared_parents(module: cst.Module) -> dict[int, cst.CSTNode]:
    """`parents(module)`, made once for the rules that visit the same module in turn (the
    module is kept alive with it, so an id cannot be reused while it is cached)."""
    if not _LAST_PARENTS or _LAST_PARENTS[0][0] is not module:
        _LAST_PARENTS[:] = [(module, parents(module))]
    return _LAST_PARENTS[0][1]


def parents(module: cst.Module) -> dict[int, cst.CSTNode]:
    """Child id -> parent, walking the dataclass fields of the nodes directly.

    ParentNodeProvider gets the same answer through `node.children`, which runs a visitor
    per node; this plain walk costs a fraction of that, and nothing else here needs one.
    """
    found: dict[int, cst.CSTNode] = {}
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        for name in _field_names(type(node)):
            value = getattr(node, name)
            items = value if type(value) in (list, tuple) else (value,)
            for item in items:
                if _is_node(type(item)):
                    found[id(item)] = node
                    stack.append(item)
    return found


_FIELDS: dict[type, tuple[str, ...]] = {}
_NODES: dict[type, bool] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    if kind not in _FIELDS:
        _FIELDS[kind] = tuple(field.name for field in fields(kind))
    return _FIELDS[kind]


def _is_node(kind: type) -> bool:
    if kind not in _NODES:  # once per type: CSTNode is an ABC, isinstance on it is slow
        _NODES[kind] = issubclass(kind, cst.CSTNode)
    return _NODES[kind]


def names_in(node: cst.CSTNode) -> list[cst.Name]:
    """Name nodes read in an expression: attribute and keyword names excluded."""
    found: list[cst.Name] = []

    class _Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)
            return False

    node.visit(_Names())
    return found


def has_comments(*nodes: cst.CSTNode) -> bool:
    """Whether any of `nodes` holds a comment (a fix that drops them is unsafe)."""

    class _Comments(cst.CSTVisitor):
        found = False

        def visit_Comment(self, comment: cst.Comment) -> None:
            self.found = True

    visitor = _Comments()
    for node in nodes:
        node.visit(visitor)
    return visitor.found


def code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def is_migration(module: cst.Module) -> bool:
    """An Alembic revision (`revision = ...`, `down_revision = ...`): it runs once, and a
    migration that has run is not edited."""
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign | cst.AnnAssign):
                    targets = (
                        [t.target for t in small.targets]
                        if isinstance(small, cst.Assign)
                        else [small.target]
                    )
                    names.update(t.value for t in targets if isinstance(t, cst.Name))
    return {"revision", "down_revision"} <= names
