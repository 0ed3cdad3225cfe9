"""What a loop's body reads of its rows: relationship paths that lazy-load once per row.

The body is walked with the loop variable bound to its model; a nested `for` or
comprehension over a relationship of a bound name (`for b in a.books`) binds its own
variable one step further down the path. A bound name assigned anywhere in the body makes
the loop unreadable (None): the reads might not be of the rows. Nested functions, lambdas
and classes are not entered: when their code runs is not known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from fe_gen.codemods.analysis.meta import Meta
from fe_gen.codemods.models_index import ModelInfo, ModelsIndex, RelationshipInfo


@dataclass(frozen=True)
class Hop:
    owner: ModelInfo
    relationship: RelationshipInfo
    target: ModelInfo | None


@dataclass(frozen=True)
class Read:
    node: cst.Attribute  # the attribute read that loads the last hop
    hops: tuple[Hop, ...]  # from the rows' class

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(hop.relationship.name for hop in self.hops)


@dataclass(frozen=True)
class _Bound:
    model: ModelInfo
    hops: tuple[Hop, ...]


class _Rebound(Exception):
    pass


_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


class _Walker(cst.CSTVisitor):
    def __init__(self, bound: dict[str, _Bound], meta: Meta, models: ModelsIndex) -> None:
        super().__init__()
        self.bound = bound
        self.meta = meta
        self.models = models
        self.reads: list[Read] = []

    # -- reads ---------------------------------------------------------------------------

    def _chain(self, node: cst.Attribute) -> tuple[_Bound, list[cst.Attribute]] | None:
        attributes: list[cst.Attribute] = []
        current: cst.BaseExpression = node
        while isinstance(current, cst.Attribute):
            attributes.append(current)
            current = current.value
        if not isinstance(current, cst.Name) or current.value not in self.bound:
            return None
        attributes.reverse()
        return self.bound[current.value], attributes

    def _hops(self, node: cst.Attribute) -> tuple[tuple[Hop, ...], cst.Attribute | None]:
        """The relationship hops an attribute chain reads and the node of the last one."""
        found = self._chain(node)
        if found is None:
            return (), None
        bound, attributes = found
        if self._stored(node):
            attributes = attributes[:-1]
        model: ModelInfo | None = bound.model
        hops = bound.hops
        last: cst.Attribute | None = None
        for attribute in attributes:
            relationship = model.relationship(attribute.attr.value) if model else None
            if model is None or relationship is None or not relationship.loads_per_row:
                break
            target = self.models.target(model, relationship)
            hops = (*hops, Hop(model, relationship, target))
            last = attribute
            model = target if relationship.uselist is False else None
        return hops, last

    def _stored(self, node: cst.Attribute) -> bool:
        parent = self.meta.parent(node)
        if isinstance(parent, cst.AssignTarget | cst.Del):
            return True
        return isinstance(parent, cst.AugAssign | cst.AnnAssign) and parent.target is node

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        hops, last = self._hops(node)
        if last is not None and len(hops) > len(self._bound_of(node).hops):
            self.reads.append(Read(last, hops))
        return self._chain(node) is None  # a bound chain is read whole; others go on

    def _bound_of(self, node: cst.Attribute) -> _Bound:
        found = self._chain(node)
        assert found is not None
        return found[0]

    # -- bindings ------------------------------------------------------------------------

    def _binding(self, iterable: cst.BaseExpression) -> _Bound | None:
        """What `for x in a.books` binds `x` to: the target of a collection hop."""
        if not isinstance(iterable, cst.Attribute):
            return None
        hops, last = self._hops(iterable)
        if last is not iterable or not hops:
            return None
        hop = hops[-1]
        if hop.relationship.uselist is False or hop.target is None:
            return None
        return _Bound(hop.target, hops)

    def _with(
        self, target: cst.BaseExpression, bound: _Bound | None, parts: Sequence[cst.CSTNode]
    ) -> None:
        self._check_target(target)
        saved = dict(self.bound)
        if bound is not None and isinstance(target, cst.Name):
            self.bound[target.value] = bound
        for part in parts:
            part.visit(self)
        self.bound = saved

    def visit_For(self, node: cst.For) -> bool:
        node.iter.visit(self)
        parts = [node.body, *([node.orelse] if node.orelse else [])]
        self._with(node.target, self._binding(node.iter), parts)
        return False

    def _comprehension(
        self, node: cst.CSTNode, for_in: cst.CompFor, parts: list[cst.CSTNode]
    ) -> bool:
        for_in.iter.visit(self)
        inner = [*for_in.ifs, *([for_in.inner_for_in] if for_in.inner_for_in else []), *parts]
        self._with(for_in.target, self._binding(for_in.iter), inner)
        return False

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        node.iter.visit(self)
        self._with(
            node.target,
            self._binding(node.iter),
            [*node.ifs, *([node.inner_for_in] if node.inner_for_in else [])],
        )
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return self._comprehension(node, node.for_in, [node.elt])

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return self._comprehension(node, node.for_in, [node.elt])

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return self._comprehension(node, node.for_in, [node.elt])

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return self._comprehension(node, node.for_in, [node.key, node.value])

    # -- rebinding -----------------------------------------------------------------------

    def _check_target(self, target: cst.CSTNode) -> None:
        for name in _names(target):
            if name in self.bound:
                raise _Rebound

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._check_target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._check_target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._check_target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._check_target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._check_target(node.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._check_target(node.target)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _names(target: cst.CSTNode) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        return [n for element in target.elements for n in _names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _names(target.value)
    return []


def relationship_reads(
    row: cst.BaseExpression,
    model: ModelInfo,
    parts: Sequence[cst.CSTNode],
    meta: Meta,
    models: ModelsIndex,
) -> list[Read] | None:
    """The lazy relationship loads `parts` (run once per row) make; None if unreadable."""
    if not isinstance(row, cst.Name):
        return None
    walker = _Walker({row.value: _Bound(model, ())}, meta, models)
    try:
        for part in parts:
            part.visit(walker)
    except _Rebound:
        return None
    return walker.reads
