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
`_REBUILT`, which skip a field that is None and keep LibCST's traversal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst

_ORIGINAL = cst.CSTNode.visit
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...] | None] = {}  # None: LibCST's traversal
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


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    try:
        fields = _FIELDS[type(node)]
    except KeyError:
        fields = _fields(node)
    if fields is None:
        _ORIGINAL(node, visitor)
        return
    if visitor.on_visit(node):
        for name in fields:
            visitor.on_visit_attribute(node, name)
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                _walk(value, visitor)
            elif isinstance(value, tuple | list):
                for child in value:
                    _walk(child, visitor)
            visitor.on_leave_attribute(node, name)
    visitor.on_leave(node)


def _visit(self: cst.CSTNode, visitor: cst.CSTVisitorT) -> cst.CSTNode:
    if not isinstance(visitor, cst.CSTVisitor):  # a transformer: it rebuilds on purpose
        return _ORIGINAL(self, visitor)  # type: ignore[return-value]
    _walk(self, visitor)
    return self


@contextmanager
def read_only_visits() -> Iterator[None]:
    """`CSTNode.visit` walks without rebuilding for visitors, while the block runs."""
    cst.CSTNode.visit = _visit  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        cst.CSTNode.visit = _ORIGINAL  # type: ignore[method-assign]
