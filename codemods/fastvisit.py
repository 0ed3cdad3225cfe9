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
every field of every node, and almost never finds one. Likewise `on_visit` / `on_leave`
become, per visitor and node class, the `visit_<Node>` / `leave_<Node>` methods they
would look up for each node (`_plan`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
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


Callback = Callable[[cst.CSTNode], object]
# per node class: its fields (None: LibCST's traversal), then what to call on entering the
# node (its answer False: skip the children), on leaving it, and whether the attribute
# callbacks are needed
_Plan = tuple[tuple[str, ...] | None, Callback, Callback, bool]
_PLANS: dict[int, tuple[cst.CSTVisitor, dict[type, _Plan]]] = {}  # visitor id -> its plans


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, plans: dict[type, _Plan]) -> None:
    kind = type(node)
    plan = plans.get(kind)
    if plan is None:
        plan = plans[kind] = _plan(visitor, node)
    fields, enter, leave, hooked = plan
    if fields is None:
        _ORIGINAL(node, visitor)
        return
    if enter(node) is not False:
        for name in fields:
            if hooked:
                visitor.on_visit_attribute(node, name)
            value = getattr(node, name)  # a node, a sequence of them, None or a sentinel
            of = type(value)
            if of is tuple or of is list:
                for child in value:
                    _walk(child, visitor, plans)
            elif value is not None and of is not MaybeSentinel:
                _walk(value, visitor, plans)  # (`isinstance` of an ABC such as CSTNode is slow)
            if hooked:
                visitor.on_leave_attribute(node, name)
    leave(node)


def _plan(visitor: cst.CSTVisitor, node: cst.CSTNode) -> _Plan:
    """How `visitor` is called for nodes of `node`'s class: LibCST's own `on_visit` /
    `on_leave` build a method name from the class name and look it up, for every node; a
    plan looks it up once per class (a visitor with callbacks of its own gets those)."""
    kind = type(node)
    fields = _FIELDS[kind] if kind in _FIELDS else _fields(node)
    own = type(visitor)
    enter: Callback = visitor.on_visit
    leave: Callback = visitor.on_leave
    batched = visitor if isinstance(visitor, _BATCHED) and own is _BATCHED else None
    if batched is not None and batched.before_visit is None and batched.after_leave is None:
        methods = batched.visitor_methods
        enter = _all(methods.get(f"visit_{kind.__name__}", []), True)
        leave = _all(methods.get(f"leave_{kind.__name__}", []), None)
    if own.on_visit is _PLAIN.on_visit:
        enter = getattr(visitor, f"visit_{kind.__name__}", None) or _descend
    if own.on_leave is _PLAIN.on_leave:
        leave = getattr(visitor, f"leave_{kind.__name__}", None) or _nothing
    return fields, enter, leave, _hooked(visitor, kind, fields or ())


def _descend(node: cst.CSTNode) -> bool:
    return True


def _nothing(node: cst.CSTNode) -> None:
    return None


def _all(callbacks: Sequence[Callback], answer: bool | None) -> Callback:
    """One callback calling `callbacks` in turn and answering `answer`."""
    if not callbacks:
        return _descend if answer else _nothing
    if len(callbacks) == 1 and answer is None:
        return callbacks[0]

    def call(node: cst.CSTNode) -> bool | None:
        for callback in callbacks:
            callback(node)
        return answer

    return call


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
    known = _PLANS.get(id(visitor))
    if known is None:  # (the visitor is kept with its plans: its id stays its own)
        known = _PLANS[id(visitor)] = (visitor, {})
    _walk(self, visitor, known[1])
    return self


@contextmanager
def read_only_visits() -> Iterator[None]:
    """`CSTNode.visit` walks without rebuilding for visitors, while the block runs."""
    cst.CSTNode.visit = _visit  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        cst.CSTNode.visit = _ORIGINAL  # type: ignore[method-assign]
        _PLANS.clear()
