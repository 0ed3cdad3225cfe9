"""Loader options: which relationship paths a query already loads, and the chain to add.

A path is a tuple of relationship names from the query's entity (`("books", "publisher")`).
Options fe-gen cannot read (strings, `"*"`, a variable, a helper's result, `*opts`) make
the whole query unreadable: FE103 then stays quiet rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from fe_gen.codemods.analysis import sqlbuild as sb
from fe_gen.codemods.analysis.meta import Meta
from fe_gen.codemods.analysis.queries import method

Path = tuple[str, ...]

# a path these name is settled: loaded eagerly, or left lazy / raising on purpose
SETTLING = {
    "selectinload", "joinedload", "subqueryload", "immediateload", "contains_eager",
    "lazyload", "noload", "raiseload", "selectin_polymorphic",
}  # fmt: skip
_PASSING = {"defaultload"}  # names a step without settling it
_COLUMNS = {"load_only", "defer", "undefer", "undefer_group", "with_expression"}
_MODULES = ("sqlalchemy.orm.", "sqlalchemy.orm.strategy_options.", "sqlmodel.")


@dataclass(frozen=True)
class Step:
    """One link of a chain to add: `loader(owner.attr)`."""

    loader: str  # "selectinload" or "joinedload"
    owner: str  # the class as the module names it
    attr: str


def _loader_name(call: cst.Call, meta: Meta, head: bool) -> str | None:
    """The loader a link of an option chain calls, None if it is not one fe-gen knows."""
    if not head:
        return method(call) or None
    names = meta.qualified(call.func)
    for name in names:
        for module in _MODULES:
            if name.startswith(module) and "." not in name[len(module) :]:
                return name[len(module) :]
    return None


def _attr(call: cst.Call) -> str | None:
    """`loader(Owner.attr)`: `attr`; None for anything else (strings, several arguments)."""
    if len(call.args) != 1 or call.args[0].keyword or call.args[0].star:
        return None
    value = call.args[0].value
    if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name | cst.Attribute):
        return value.attr.value
    return None


def _option(expr: cst.BaseExpression, meta: Meta) -> set[Path] | None:
    """The paths one option settles; None if it cannot be read."""
    links: list[cst.Call] = []
    while isinstance(expr, cst.Call):
        links.append(expr)
        if not isinstance(expr.func, cst.Attribute):
            break
        expr = expr.func.value
    if not links or not isinstance(links[-1].func, cst.Name | cst.Attribute):
        return None
    links.reverse()
    settled: set[Path] = set()
    path: Path = ()
    for index, link in enumerate(links):
        name = _loader_name(link, meta, head=index == 0)
        if name in _COLUMNS:
            continue
        if name not in SETTLING and name not in _PASSING:
            return None
        attr = _attr(link)
        if attr is None:
            return None
        path = (*path, attr)
        if name in SETTLING:
            settled.add(path)
    return settled


def settled_paths(links: tuple[cst.Call, ...], meta: Meta) -> set[Path] | None:
    """The paths the `.options(...)` links of a query settle; None if one is unreadable."""
    found: set[Path] = set()
    for link in links:
        if method(link) != "options":
            continue
        for arg in link.args:
            if arg.star or arg.keyword:
                return None
            paths = _option(arg.value, meta)
            if paths is None:
                return None
            found |= paths
    return found


def chain(steps: list[Step]) -> cst.Call:
    """`selectinload(A.b).joinedload(B.c)`."""
    first, *rest = steps
    call = sb.call(sb.name(first.loader), _attribute(first.owner, first.attr))
    for step in rest:
        call = sb.call(cst.Attribute(call, sb.name(step.loader)), _attribute(step.owner, step.attr))
    return call


def _attribute(owner: str, attr: str) -> cst.BaseExpression:
    return cst.parse_expression(f"{owner}.{attr}")
