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
callbacks (`on_visit_attribute`, `on_leave_attribute`) are made only for the fields
for which the visitor has such a method (`_hooks`): LibCST looks one up by name for
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
Hook = Callable[[cst.CSTNode, str], object]  # an attribute callback: (node, field)
# per node class: its fields (None: LibCST's traversal); what to call on entering a node
# (its answer False: skip the children) and on leaving it; and the attribute callbacks
# per field, None where the visitor has none for any field of the class
_Plan = tuple[
    tuple[str, ...] | None, Callback, Callback, tuple[tuple[Hook | None, Hook | None], ...] | None
]
_PLANS: dict[int, tuple[cst.CSTVisitor, dict[type, _Plan]]] = {}  # visitor id -> its plans


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, plans: dict[type, _Plan]) -> None:
    kind = type(node)
    plan = plans.get(kind)
    if plan is None:
        plan = plans[kind] = _plan(visitor, node)
    fields, enter, leave, hooks = plan
    if fields is None:
        _ORIGINAL(node, visitor)
        return
    if enter(node) is not False:
        for index, name in enumerate(fields):
            before, after = hooks[index] if hooks is not None else _NO_HOOKS
            if before is not None:
                before(node, name)
            value = getattr(node, name)  # a node, a sequence of them, None or a sentinel
            of = type(value)
            if of is tuple or of is list:
                for child in value:
                    _walk(child, visitor, plans)
            elif value is not None and of is not MaybeSentinel:
                _walk(value, visitor, plans)  # (`isinstance` of an ABC such as CSTNode is slow)
            if after is not None:
                after(node, name)
    leave(node)


_NO_HOOKS: tuple[None, None] = (None, None)


def _plan(visitor: cst.CSTVisitor, node: cst.CSTNode) -> _Plan:
    """How `visitor` is called for nodes of `node`'s class: LibCST's own `on_visit` /
    `on_leave` build a method name from the class name and look it up, for every node; a
    plan looks it up once per class (a visitor with callbacks of its own gets those).
    LibCST's empty stubs (`_is_no_op`) are not called, as its batched visitor does not."""
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
        enter = _method(visitor, f"visit_{kind.__name__}") or _descend
    if own.on_leave is _PLAIN.on_leave:
        leave = _method(visitor, f"leave_{kind.__name__}") or _nothing
    return fields, enter, leave, _hooks(visitor, kind, fields or ())


def _method(visitor: cst.CSTVisitor, name: str) -> Callback | None:
    """The visitor's method `name`, None if it has none or only LibCST's empty stub."""
    method = getattr(visitor, name, None)
    return None if method is None or getattr(method, "_is_no_op", False) else method


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


def _hooks(
    visitor: cst.CSTVisitor, kind: type, fields: tuple[str, ...]
) -> tuple[tuple[Hook | None, Hook | None], ...] | None:
    """The attribute callbacks of `visitor` for each field of a node of `kind`.

    LibCST's own `on_visit_attribute` / `on_leave_attribute` look up a
    `visit_<Node>_<field>` / `leave_<Node>_<field>` method per field of every node (a
    string built and looked up, twice per field), and almost never find one but a stub;
    a visitor with callbacks of its own always gets them.
    """
    own = type(visitor)
    batched = visitor if isinstance(visitor, _BATCHED) and own is _BATCHED else None
    if batched is not None:
        methods = batched.visitor_methods
        found = [
            (methods.get(f"visit_{kind.__name__}_{f}"), methods.get(f"leave_{kind.__name__}_{f}"))
            for f in fields
        ]
        hooks = tuple((_hook(list(b or ())), _hook(list(a or ()))) for b, a in found)
    elif own.on_visit_attribute is _PLAIN.on_visit_attribute and (
        own.on_leave_attribute is _PLAIN.on_leave_attribute
    ):
        hooks = tuple(
            (
                _hook([m] if (m := _method(visitor, f"visit_{kind.__name__}_{f}")) else []),
                _hook([m] if (m := _method(visitor, f"leave_{kind.__name__}_{f}")) else []),
            )
            for f in fields
        )
    else:
        hook = (visitor.on_visit_attribute, visitor.on_leave_attribute)
        return tuple(hook for _ in fields)
    return hooks if any(b or a for b, a in hooks) else None


def _hook(callbacks: list[Callback]) -> Hook | None:
    """An attribute callback calling `callbacks` with the node, None if there are none."""
    if not callbacks:
        return None

    def call(node: cst.CSTNode, field: str) -> None:
        for callback in callbacks:
            callback(node)

    return call


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
