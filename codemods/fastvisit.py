"""A read-only walk of LibCST trees that calls a visitor as LibCST does, without rebuilding.

LibCST has one traversal for visitors and transformers alike: every node visited is
rebuilt from its visited children (a dataclass constructed and validated per node), and a
read-only `CSTVisitor` then throws the copy away. The rules' metadata (expression
contexts, scopes) and their own visits walk each reduced module four times over, and the
rebuilding was about half the time of the LibCST phase.

`read_only_visits()` swaps `CSTNode.visit` for a walk that makes the same calls in the
same order (`on_visit`, then for each field `on_visit_attribute`, its children,
`on_leave_attribute`, then `on_leave`) and returns the node itself, which is what
LibCST's visit returns to a `CSTVisitor`. Transformers keep LibCST's own traversal.

The fields a node class visits, and their order, are read once per class by running its
`_visit_and_replace_children` with a recorder that does not descend: that method visits
the same fields whatever the node holds, except in the few classes listed in
`_REBUILT`, which skip a field that is None and keep LibCST's traversal. The attribute
callbacks (`on_visit_attribute`, `on_leave_attribute`) are made only for node classes
for which the visitor has such a method (`_hooked`): LibCST looks one up by name for
every field of every node, and almost never finds one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst import MaybeSentinel
from libcst._batched_visitor import _BatchedCSTVisitor

_ORIGINAL = cst.CSTNode.visit
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...] | None] = {}  # None: LibCST's traversal
_PLAIN = cst.CSTVisitor
_BATCHED = _BatchedCSTVisitor
_REBUILT = frozenset({"FormattedStringExpression", "TemplatedStringExpression"})


class _Recorder(cst.CSTVisitor):
    """Notes the fields a node visits, without descending into them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave(self, original_node: cst.CSTNode) -> None:
        pass


def _fields(node: cst.CSTNode) -> tuple[str, ...] | None:
    kind = type(node)
    if kind.__name__ in _REBUILT:
        _FIELDS[kind] = None
        return None
    recorder = _Recorder()
    node._visit_and_replace_children(recorder)
    _FIELDS[kind] = fields = tuple(recorder.fields)
    return fields


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, hooks: dict[type, bool]) -> None:
    kind = type(node)
    try:
        fields = _FIELDS[kind]
    except KeyError:
        fields = _fields(node)
    if fields is None:
        _ORIGINAL(node, visitor)
        return
    if visitor.on_visit(node):
        hooked = hooks.get(kind)
        if hooked is None:
            hooked = hooks[kind] = _hooked(visitor, kind, fields)
        for name in fields:
            if hooked:
                visitor.on_visit_attribute(node, name)
            value = getattr(node, name)  # a node, a sequence of them, None or a sentinel
            of = type(value)
            if of is tuple or of is list:
                for child in value:
                    _walk(child, visitor, hooks)
            elif value is not None and of is not MaybeSentinel:
                _walk(value, visitor, hooks)  # (`isinstance` of an ABC such as CSTNode is slow)
            if hooked:
                visitor.on_leave_attribute(node, name)
    visitor.on_leave(node)


def _hooked(visitor: cst.CSTVisitor, kind: type, fields: tuple[str, ...]) -> bool:
    """Whether the attribute callbacks of `visitor` do anything for a node of `kind`.

    LibCST's own callbacks look up a `visit_<Node>_<field>` / `leave_<Node>_<field>`
    method per field of every node (a string built and looked up, twice per field), and
    almost never find one; a visitor with callbacks of its own always gets them.
    """
    names = [f"{way}_{kind.__name__}_{field}" for way in ("visit", "leave") for field in fields]
    own = type(visitor)
    if own.on_visit_attribute is _BATCHED.on_visit_attribute and (
        own.on_leave_attribute is _BATCHED.on_leave_attribute
    ):
        methods = visitor.visitor_methods  # type: ignore[attr-defined]
        return any(name in methods for name in names)
    if own.on_visit_attribute is _PLAIN.on_visit_attribute and (
        own.on_leave_attribute is _PLAIN.on_leave_attribute
    ):
        return any(getattr(visitor, name, None) is not None for name in names)
    return True


def _visit(self: cst.CSTNode, visitor: cst.CSTVisitorT) -> cst.CSTNode:
    if not isinstance(visitor, cst.CSTVisitor):  # a transformer: it rebuilds on purpose
        return _ORIGINAL(self, visitor)  # type: ignore[return-value]
    _walk(self, visitor, {})
    return self


@contextmanager
def read_only_visits() -> Iterator[None]:
    """`CSTNode.visit` walks without rebuilding for visitors, while the block runs."""
    cst.CSTNode.visit = _visit  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        cst.CSTNode.visit = _ORIGINAL  # type: ignore[method-assign]
