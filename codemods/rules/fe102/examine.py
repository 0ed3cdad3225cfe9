"""FE102's decision for one loop over query results: do the rows serve only some columns?

Every use of the loop variable in the body must read a known column (`row.name`) for a
fix. A row handed whole to a function of the project (`describe(row)`, the function in
this module or one it imports) is followed one level (`handed`): when that function too
reads only known columns of it, the finding is reported without a fix. Any other use
(the row returned, passed to unknown code, compared, assigned to, read in a nested
function or after the loop, a relationship, a property) means the objects escape where
fe-gen cannot see, and FE102 stays quiet: it cannot know what the rest of the program
reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from fe_gen.codemods.analysis.meta import Meta, code
from fe_gen.codemods.analysis.queries import Resolver, method
from fe_gen.codemods.analysis.rows import Loop, Rows, append_options, local_rows
from fe_gen.codemods.models_index import ModelInfo
from fe_gen.codemods.rules.base import Applicability, Edit, Fix
from fe_gen.codemods.rules.fe102 import handed

# methods of containers and values that do not look objects up
_PURE_METHODS = {"append", "add", "extend", "update", "setdefault", "get", "format", "join"}
_PURE_METHODS |= {"lower", "upper", "strip", "isoformat", "startswith", "endswith", "split"}
_WIDE = {"str", "json", "bytes", "unknown"}  # columns whose leaving out saves something
_ROW_CHANGING = {"distinct", "group_by", "having", "union", "union_all"}


class Examiner:
    def __init__(self, meta: Meta, resolver: Resolver) -> None:
        self.meta = meta
        self.resolver = resolver

    def examine(self, loop: Loop) -> tuple[cst.CSTNode, str, Fix | None] | None:
        """(where, what, the fix) when the loop reads only some columns; else None."""
        if not isinstance(loop.row, cst.Name):
            return None
        rows = local_rows(self.resolver, loop)
        if rows is None or not self._only_here(loop, rows):
            return None
        found = _columns_read(loop.row.value, loop.parts, rows.model, self.meta)
        if found is None:
            return None
        used, handoffs = found
        helpers = self._follow(handoffs, rows.model)
        if helpers is None:
            return None  # handed to code fe-gen cannot follow, or that uses the row whole
        for columns_there in helpers.values():
            used |= columns_there
        columns = [n for n, d in rows.model.attrs.items() if d.kind == "column"]
        if not used:
            return None
        left_out = [rows.model.column(name) for name in columns if name not in used]
        if not any(c is not None and c.kind in _WIDE for c in left_out):
            return None  # nothing left out, or only numbers, dates, flags: not worth it
        chosen = [name for name in columns if name in used]
        loader = cst.parse_expression(
            f"load_only({', '.join(f'{rows.entity}.{name}' for name in chosen)})"
        )
        assert isinstance(loader, cst.Call)
        names = ", ".join(f"`{name}`" for name in chosen)
        if helpers:
            called = ", ".join(f"`{name}()`" for name in helpers)
            detail = (
                f"only {names} of `{rows.model.name}` are read, here and by {called}:"
                f" `.options({code(loader)})` would do; no fix, as the rows are handed to"
                f" {called}, which other callers share"
            )
            return loop.node, detail, None
        detail = (
            f"only {names} of `{rows.model.name}` are read: `.options({code(loader)})`, or"
            " select those columns (unsafe, not applied: the rows become tuples)"
        )
        return loop.node, detail, self._fix(loop, rows, loader)

    def _fix(self, loop: Loop, rows: Rows, loader: cst.Call) -> Fix:
        """`.options(load_only(...))` on the query; unsafe under `async def`."""
        statement = rows.statement
        assert statement is not None

        def rebuild(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.BaseExpression)
            return append_options(updated, [loader])

        asynchronous = self._asynchronous(loop)
        return Fix(
            (Edit(statement, rebuild),),
            Applicability.UNSAFE if asynchronous else Applicability.SAFE,
            (("sqlalchemy.orm", "load_only"),),
            "under AsyncSession a column left unloaded and read later raises"
            if asynchronous
            else "",
        )

    def _follow(self, handoffs: list[_Handoff], model: ModelInfo) -> dict[str, set[str]] | None:
        """The columns each function the rows are handed to reads of them (by its name);
        None when one of them cannot be found or uses the row any other way."""
        followed: dict[str, set[str]] = {}
        for func, position, keyword in handoffs:
            qualified = self.meta.qualified(func) or {func.value}
            if len(qualified) != 1:
                return None
            module, _, name = qualified.pop().rpartition(".")
            if "<locals>" in module or module == "builtins":
                return None
            function = self.resolver.models.function(module or None, name, self.resolver.path)
            parameter = handed.parameter(function, position, keyword) if function else None
            if function is None or parameter is None:
                return None
            read = handed.columns_read(function, parameter, model)
            if read is None:
                return None
            followed.setdefault(func.value, set()).update(read)
        return followed

    def _only_here(self, loop: Loop, rows: Rows) -> bool:
        """No loader option to respect, no DISTINCT, and the rows serve this loop alone."""
        links = {method(link) for link in rows.source.links}
        if "options" in links or links & _ROW_CHANGING:
            return False
        if isinstance(loop.iterable, cst.Name):  # `rows = ....all()`: used only here
            assignments = self.meta.assignments(loop.iterable)
            if not assignments or len(assignments) != 1 or len(assignments[0].references) != 1:
                return False
        if isinstance(loop.node, cst.For):  # the loop variable outlives the loop
            return not self._used_after(loop)
        return True

    def _used_after(self, loop: Loop) -> bool:
        assert isinstance(loop.row, cst.Name)
        function = self.meta.function(loop.node)
        if function is None:
            return True
        low, high = self.meta.start(loop.node), self.meta.end(loop.node)
        name, meta, found = loop.row.value, self.meta, False

        class _Names(cst.CSTVisitor):
            def visit_Name(self, node: cst.Name) -> None:
                nonlocal found
                if node.value == name and not low <= meta.start(node) <= high:
                    found = True

        function.visit(_Names())
        return found

    def _asynchronous(self, loop: Loop) -> bool:
        function = self.meta.function(loop.node)
        return isinstance(function, cst.FunctionDef) and function.asynchronous is not None


# a function the row is handed to whole: its name, and the argument's position or keyword
_Handoff = tuple[cst.Name, int | None, str | None]


def _handoff(node: cst.Name, meta: Meta) -> _Handoff | None:
    """`f(row)` / `f(x, row)` / `f(item=row)` with `f` a plain name: where the row goes."""
    arg = meta.parent(node)
    call = meta.parent(arg) if isinstance(arg, cst.Arg) else None
    if not isinstance(arg, cst.Arg) or not isinstance(call, cst.Call) or arg.star:
        return None
    if not isinstance(call.func, cst.Name) or any(a.star for a in call.args):
        return None
    if arg.keyword is not None:
        return call.func, None, arg.keyword.value
    positional = [a for a in call.args if a.keyword is None]
    return call.func, positional.index(arg), None


def _columns_read(
    row: str, parts: Sequence[cst.CSTNode], model: ModelInfo, meta: Meta
) -> tuple[set[str], list[_Handoff]] | None:
    """The columns of `row` the parts read and the functions the row is handed to whole,
    None when the row is used any other way."""
    used: set[str] = set()
    handoffs: list[_Handoff] = []
    escaped = False

    class _Uses(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal escaped
            if node.value != row:
                return
            parent = meta.parent(node)
            handoff = _handoff(node, meta)
            if handoff is not None:
                handoffs.append(handoff)
                return
            if not isinstance(parent, cst.Attribute) or parent.value is not node:
                escaped = True
                return
            grand = meta.parent(parent)
            stored = isinstance(grand, cst.AssignTarget | cst.Del) or (
                isinstance(grand, cst.AugAssign | cst.AnnAssign) and grand.target is parent
            )
            if stored or model.column(parent.attr.value) is None:
                escaped = True
                return
            used.add(parent.attr.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)  # `row.name`: the attribute's own Name is not the row
            return False

        def visit_Call(self, node: cst.Call) -> None:
            """A column value handed to unknown code (`delete_file(f.id)`): that code may
            load the same object by its key, through the identity map, and read a column
            left out, one query each."""
            nonlocal escaped
            func = node.func
            if isinstance(func, cst.Attribute):
                known = func.attr.value in _PURE_METHODS or not _mentions(func.value, "")
            else:
                builtin = any(n.startswith("builtins.") for n in meta.qualified(func))
                known = builtin or (isinstance(func, cst.Name) and func.value[:1].isupper())
            # the row itself handed to a plain name is followed (`_handoff`); what is read
            # from it (`f(row.id)`) is not
            read = [arg for arg in node.args if not _is_name(arg.value, row)]
            if not known and any(_mentions(arg.value, row) for arg in read):
                escaped = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            nonlocal escaped
            escaped = escaped or any(n.value == row for n in _names(node))
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            nonlocal escaped
            escaped = escaped or any(n.value == row for n in _names(node))
            return False

    for part in parts:
        part.visit(_Uses())
    return None if escaped else (used, handoffs)


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _names(node: cst.CSTNode) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _All(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

    node.visit(_All())
    return found


def _mentions(node: cst.CSTNode, row: str) -> bool:
    """Whether `node` reads the name `row` (any name when `row` is empty)."""
    return any(name.value == row or not row for name in _names(node))
