"""Rows a function of the module fetches and returns whole (`User.all()`, `all_users(s)`):
the caller's filter is a client-side filter all the same, but its condition belongs in
that function's query, which other callers share. FE101 reports it without a fix."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst
from libcst.metadata import GlobalScope

from fe_gen.codemods.analysis.meta import code
from fe_gen.codemods.analysis.queries import Entity, Resolver, Source

_METHOD_KINDS = {"classmethod", "staticmethod"}


def fetched_by(resolver: Resolver, iterable: cst.BaseExpression) -> Source | None:
    """The query a module function or a class's method runs and returns the rows of, when
    `iterable` is a call to one (or a name assigned such a call); None otherwise."""
    while isinstance(iterable, cst.Await):
        iterable = iterable.expression
    if isinstance(iterable, cst.Name):
        assignments = resolver.meta.assignments(iterable) or []
        reaching = resolver.flow.reaching(iterable, assignments)
        value = resolver.meta.assigned_value(reaching[0]) if len(reaching) == 1 else None
        return fetched_by(resolver, value) if isinstance(value, cst.Call) else None
    if not isinstance(iterable, cst.Call):
        return None
    found = _definition(resolver, iterable.func)
    if found is None:
        return None
    function, owner = found
    returns = _returns(function)
    sources = resolver.sources_inside(function, returns) if returns else None
    if sources is None or not all(
        isinstance(s, Source) and s.executed_at is not None for s in sources
    ):
        return None
    first = sources[0]
    assert isinstance(first, Source)
    if any(s != first for s in sources[1:]) or len(first.entities) != 1:
        return None
    entities = tuple(_as_class(resolver, e, function, owner) for e in first.entities)
    problem = f"the rows come from `{code(iterable.func)}()`, which runs the query itself"
    return replace(first, entities=entities, anchor=iterable, executed_at=iterable, problem=problem)


def _definition(
    resolver: Resolver, func: cst.BaseExpression
) -> tuple[cst.FunctionDef, cst.ClassDef | None] | None:
    """The module-level function, or the class- or static method of a module-level class,
    that `func` names."""
    holder = func.value if isinstance(func, cst.Attribute) else func
    if not isinstance(holder, cst.Name):
        return None
    assignments = resolver.meta.assignments(holder)
    if not assignments or len(assignments) != 1:
        return None
    if not isinstance(assignments[0].scope, GlobalScope):
        return None
    node = assignments[0].node
    if isinstance(func, cst.Name):
        plain = isinstance(node, cst.FunctionDef) and not node.decorators
        return (node, None) if isinstance(node, cst.FunctionDef) and plain else None
    if not isinstance(node, cst.ClassDef) or not isinstance(func, cst.Attribute):
        return None
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value:
            kinds = {code(d.decorator) for d in statement.decorators}
            return (statement, node) if kinds and kinds <= _METHOD_KINDS else None
    return None


def _as_class(
    resolver: Resolver, entity: Entity, function: cst.FunctionDef, owner: cst.ClassDef | None
) -> Entity:
    """`query(cls)` in a classmethod of a mapped class: the class itself."""
    classmethod_ = any(code(d.decorator) == "classmethod" for d in function.decorators)
    first = function.params.params[0].name.value if function.params.params else None
    if owner is None or not classmethod_ or not isinstance(entity.expr, cst.Name):
        return entity
    if entity.expr.value != first or entity.model is not None:
        return entity
    model = resolver.model_of(owner.name)
    return Entity(owner.name, owner.name.value, model) if model is not None else entity


def _returns(function: cst.FunctionDef) -> list[cst.BaseExpression] | None:
    """The values of the function's own `return` statements; None if any returns nothing
    or it is a generator."""
    found: list[cst.BaseExpression] = []
    plain = True

    class _Returns(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            nonlocal plain
            if node.value is None:
                plain = False
            else:
                found.append(node.value)

        def visit_Yield(self, node: cst.Yield) -> None:
            nonlocal plain
            plain = False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    function.visit(_Returns())
    return found if plain and found else None
