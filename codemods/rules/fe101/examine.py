"""FE101's decision for one filtering site: not a finding, a finding, or a finding with a fix.

Kept apart from the rule module (which carries the documentation and the cases) so that
matching stays separate from rewriting: `examine` decides, `_fix` only builds nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import Assignment, ClassScope, ImportAssignment

from fe_gen.codemods.analysis import sqlbuild as sb
from fe_gen.codemods.analysis.meta import COMPREHENSIONS, Meta, code, names_in
from fe_gen.codemods.analysis.queries import LeftAlone, Resolver, Source
from fe_gen.codemods.rules.base import Applicability, Edit, Fix
from fe_gen.codemods.rules.fe101.columns import entity_index, reads_columns, selected_column, walk
from fe_gen.codemods.rules.fe101.conditions import (
    Col,
    Fail,
    Reader,
    Translation,
    literal_items,
    translate,
)
from fe_gen.codemods.rules.fe101.fetchers import fetched_by
from fe_gen.codemods.rules.fe101.sites import Site

_LOOPS = (cst.For, cst.While, cst.FunctionDef, cst.Lambda, cst.ClassDef, *COMPREHENSIONS)
_FORBIDDEN_IN_CONDITION = (cst.Await, cst.Yield, cst.NamedExpr, cst.Lambda, *COMPREHENSIONS)


@dataclass(frozen=True)
class Verdict:
    """What to report: `fix` None with `detail` the reason when there is no fix."""

    detail: str
    fix: Fix | None


class Examiner:
    def __init__(self, meta: Meta, resolver: Resolver) -> None:
        self.meta = meta
        self.resolver = resolver

    def examine(self, site: Site) -> Verdict | None:
        """None: not a finding (left alone); else the report to make."""
        if isinstance(self.meta.scope(site.node), ClassScope):
            return None
        if not any(_reads(site.row, condition) for condition in site.conditions):
            return None
        if self._stateful(site):
            return None  # e.g. `if x.id not in seen: seen.append(x.id)`: not a filter SQL has
        source = self.resolver.source(site.iterable)
        if isinstance(source, LeftAlone):
            source = fetched_by(self.resolver, site.iterable) or source
        if isinstance(source, LeftAlone) or self._placement(site, source) is not None:
            return None
        if self._methods_only(site, source) or not reads_columns(site, source):
            return None  # `if not e.can_display(user)`: nothing SQL could take over
        translation = self._translate(site, source)
        if isinstance(translation, Translation):
            translation.terms = [t for t in translation.terms if not _redundant(t, source)]
            if not translation.terms:
                return None  # the query already says so
        if source.problem is not None:
            return Verdict(f"no fix: {source.problem}", None)
        if self._without_autoflush(self._executed(site, source)):
            return Verdict(
                "no fix: in `no_autoflush` the database may not hold the changes the rows in"
                " memory carry, and the WHERE would read the database",
                None,
            )
        if isinstance(translation, Fail):
            return Verdict(f"no fix: {translation.reason}", None)
        clash = self._import_clash(site, translation.imports)
        if clash is not None:
            return Verdict(f"no fix: {clash}", None)
        return self._fix(site, source, translation)

    # -- is the filter the only use of the rows, after the query, outside other loops? ------

    def _methods_only(self, site: Site, source: Source) -> bool:
        """Whether every condition reads the rows' objects only through their Python code:
        methods called (`e.can_display(user)`), properties and hybrids (`u.is_admin`,
        `r.User.is_admin` of a Row), the row handed whole to a function (`check(u)`). No
        column is read, so there is no filter fe-gen can act on. A relationship
        (`u.team.name`) or a column next to such code (`u.is_admin and u.active`) still
        reads columns: that stays a finding."""
        if not source.entities or any(entity.column is not None for entity in source.entities):
            return False  # columns selected: the values are read (`selected_column`)
        for condition in site.conditions:
            for node in walk(condition):
                if not isinstance(node, cst.Attribute):
                    continue
                index = entity_index(site.row, source, node.value)
                if index is None:
                    continue
                model = source.entities[index].model if index < len(source.entities) else None
                if model is None:
                    return False
                parent = self.meta.parent(node)
                called = isinstance(parent, cst.Call) and parent.func is node
                decl = model.attrs.get(node.attr.value)
                code_attr = decl is not None and decl.kind == "code"
                if called or code_attr or self._handed_to_code(node, condition, site.row):
                    continue
                return False
        return True

    def _handed_to_code(self, node: cst.CSTNode, condition: cst.CSTNode, row: str) -> bool:
        """Whether `node` (`u.id`) is only an argument of a call of code fe-gen cannot
        read, `allowed(u, creds.get(u.id))`: the column goes into that code, and no
        condition on it is left for SQL. A builtin (`len(u.name)`) or a method of the
        row's value (`u.name.lower()`) still reads the column."""
        child = node
        for ancestor in self.meta.ancestors(node):
            if ancestor is condition:
                return False
            if isinstance(ancestor, cst.Call) and child is not ancestor.func:
                func = ancestor.func
                builtin = any(n.startswith("builtins.") for n in self.meta.qualified(func))
                if not builtin and not _reads(row, func):
                    return True
            child = ancestor
        return False

    def _stateful(self, site: Site) -> bool:
        """Whether the condition reads something the per-row code changes."""
        per_row = {name.value for node in site.per_row for name in names_in(node)} - {site.row}
        return any(n.value in per_row for c in site.conditions for n in names_in(c))

    def _executed(self, site: Site, source: Source) -> cst.CSTNode:
        return source.executed_at if source.executed_at is not None else site.node

    def _placement(self, site: Site, source: Source) -> str | None:
        executed = self._executed(site, source)
        around = set(map(id, self.meta.ancestors(executed)))
        for ancestor in self.meta.ancestors(site.node):
            if id(ancestor) in around:
                break
            if isinstance(ancestor, _LOOPS):
                return "filtered again on every pass of a loop"
        before = self.meta.start(site.node) < self.meta.end(executed)
        if executed is not site.node and before and id(site.node) not in around:
            return "the filter runs before the query"
        if site.loop_target is not None and self._outlives(site.loop_target, site.node):
            return "the loop variable is used after the loop"
        return None

    def _without_autoflush(self, executed: cst.CSTNode) -> bool:
        """Whether the query runs in a `with session.no_autoflush:` block."""
        return any(
            isinstance(ancestor, cst.With)
            and any(
                isinstance(item.item, cst.Attribute) and item.item.attr.value == "no_autoflush"
                for item in ancestor.items
            )
            for ancestor in self.meta.ancestors(executed)
        )

    def _outlives(self, target: cst.Name, loop: cst.CSTNode) -> bool:
        scope = self.meta.scope(target)
        if scope is None:
            return True
        low, high = self.meta.start(loop), self.meta.end(loop)
        assignments = [a for a in scope.assignments[target.value] if isinstance(a, Assignment)]
        if len(assignments) != len(scope.assignments[target.value]):
            return True
        own = [a for a in assignments if a.node is target]  # not a later loop reusing it
        if len(own) != 1:
            return True
        for access in self.resolver.flow.uses(own[0], assignments):
            if not low <= self.meta.start(access.node) <= high:
                return True
        return False

    # -- the condition -------------------------------------------------------------------

    def _translate(self, site: Site, source: Source) -> Translation | Fail:
        for condition in site.conditions:
            for node in walk(condition):
                if isinstance(node, _FORBIDDEN_IN_CONDITION):
                    return Fail(f"the condition holds `{type(node).__name__}`")
        reader = Reader(site.row, lambda expr: self._column(site.row, source, expr))
        return translate(
            site.conditions,
            reader,
            lambda value: self._value(site, source, value),
            self._may_hold_none,
        )

    def _column(self, row: str, source: Source, expr: cst.BaseExpression) -> Col | Fail | None:
        selected = selected_column(row, source, expr)
        if selected is not None:
            return selected
        if not isinstance(expr, cst.Attribute):
            return Fail(f"`{code(expr)}` uses the row") if _reads(row, expr) else None
        index = entity_index(row, source, expr.value)
        if index is not None and index >= len(source.entities):
            return Fail("the rows' class is not known here")
        if index is None:
            return Fail(f"`{code(expr)}` uses the row") if _reads(row, expr) else None
        entity = source.entities[index]
        if entity.model is None:
            return Fail(f"`{entity.name}` is not a mapped class fe-gen can read")
        info = entity.model.column(expr.attr.value)
        if info is None:
            kind = entity.model.attrs.get(expr.attr.value)
            what = (
                "a relationship" if kind and kind.kind == "relationship" else "not a mapped column"
            )
            return Fail(f"`{entity.name}.{expr.attr.value}` is {what}")
        return Col(entity, info)

    def _value(self, site: Site, source: Source, value: cst.BaseExpression) -> str | Fail | None:
        """None when `value` is the same at the query as at every row; str: unsafe; Fail."""
        unsafe = None
        for node in walk(value):
            if isinstance(node, cst.Call):
                unsafe = f"`{code(node.func)}()` would run once per query, not once per row"
        executed = self._executed(site, source)
        between = self._names_between(executed, site.node)
        for name in names_in(value):
            if name.value == site.row:
                return Fail("the compared value depends on the row")
            if name.value in between:
                return Fail(f"`{name.value}` is used between the query and the filter")
        for reference in _references(value):
            if self.resolver.mapped(reference):
                return Fail(f"`{code(reference)}` is a mapped class: SQL would read its columns")
        return unsafe

    def _may_hold_none(self, value: cst.BaseExpression) -> bool:
        """Whether the code shows that the collection `value` names may hold None: a binding
        to a literal (or a parameter default) holding None, or an annotation whose items
        admit None. Without such evidence a name is taken for a collection of values, as
        `User.id.in_(ids)` written by hand takes it."""
        if not isinstance(value, cst.Name):
            return False
        for assignment in self.meta.assignments(value) or ():
            node = assignment.node
            if isinstance(node, cst.Param):
                annotation, bound = node.annotation, node.default
            else:
                parent = self.meta.parent(node)
                annotation = parent.annotation if isinstance(parent, cst.AnnAssign) else None
                bound = self.meta.assigned_value(assignment)
            if bound is not None and any(_is_none(item) for item in literal_items(bound)):
                return True
            if annotation is not None and _admits_none(annotation.annotation):
                return True
        return False

    def _names_between(self, executed: cst.CSTNode, site: cst.CSTNode) -> set[str]:
        statement = self.meta.statement(executed)
        function = self.meta.function(executed)
        if statement is None or function is None or executed is site:
            return set()
        if id(site) in set(map(id, self.meta.ancestors(executed))):
            return set()
        low, high = self.meta.end(statement), self.meta.start(site)
        names: set[str] = set()
        for name in names_in(function):
            if low < self.meta.start(name) < high:
                names.add(name.value)
        return names

    def _import_clash(self, site: Site, helpers: Iterable[str]) -> str | None:
        scope = self.meta.scope(site.node)
        for helper in helpers:
            for assignment in scope[helper] if scope is not None else ():
                if not isinstance(assignment, ImportAssignment) or not any(
                    q.name == f"sqlalchemy.{helper}"
                    for q in assignment.get_qualified_names_for(helper)
                ):
                    return f"`{helper}` means something else in this module"
        return None

    # -- the rewrite ----------------------------------------------------------------------

    def _fix(self, site: Site, source: Source, translation: Translation) -> Verdict:
        reasons = list(dict.fromkeys(translation.unsafe))
        if _comments(site.dropped) > _comments(site.kept):
            reasons.append("the fix would drop a comment")
        if site.picks and not source.ordered and not self._unique_key(site, source):
            reasons.append(
                f"the result keeps {site.picks}, and without ORDER BY the database may return"
                " the filtered rows in another order"
            )
        verb = "filter" if source.legacy else "where"
        terms = translation.terms
        dot = self._dot_after(source.anchor)

        def add_where(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.BaseExpression)
            return sb.append_call(updated, verb, terms, dot)

        fix = Fix(
            edits=(Edit(source.anchor, add_where), Edit(site.node, site.rebuild)),
            applicability=Applicability.UNSAFE if reasons else Applicability.SAFE,
            imports=tuple(("sqlalchemy", name) for name in sorted(translation.imports)),
            note="; ".join(reasons),
        )
        detail = f"unsafe fix: {fix.note}" if reasons else ""
        return Verdict(detail, fix)

    def _unique_key(self, site: Site, source: Source) -> bool:
        """A dict comprehension keyed by a unique column of the row keeps every row."""
        if site.key is None:
            return False
        column = self._column(site.row, source, site.key)
        return isinstance(column, Col) and column.info.unique

    def _dot_after(self, anchor: cst.CSTNode) -> cst.Dot | None:
        parent = self.meta.parent(anchor)
        if (
            isinstance(parent, cst.Attribute)
            and parent.value is anchor
            and isinstance(parent.dot.whitespace_before, cst.ParenthesizedWhitespace)
        ):
            return parent.dot.deep_clone()
        return None


_COLLECTION_TYPES = {
    "list", "set", "frozenset", "tuple", "dict", "List", "Set", "FrozenSet", "Tuple", "Dict",
    "Sequence", "MutableSequence", "AbstractSet", "MutableSet", "Collection", "Container",
    "Iterable", "Mapping", "MutableMapping",
}  # fmt: skip
_MAYBE_NONE = {"None", "Optional", "Any", "object"}


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _admits_none(annotation: cst.BaseExpression) -> bool:
    """`list[int | None]`, `Sequence[Optional[str]]`, `set[Any]`...: a collection whose
    items may be None."""
    if not isinstance(annotation, cst.Subscript):
        return False
    base = annotation.value
    name = base.attr.value if isinstance(base, cst.Attribute) else getattr(base, "value", None)
    if name not in _COLLECTION_TYPES:
        return False
    for node in (n for element in annotation.slice for n in walk(element)):
        if isinstance(node, cst.Name) and node.value in _MAYBE_NONE:
            return True
        if isinstance(node, cst.Attribute) and node.attr.value in _MAYBE_NONE:
            return True
    return False


def _references(value: cst.BaseExpression) -> list[cst.Name | cst.Attribute]:
    """The names and attribute chains `value` reads (not the attribute names themselves)."""
    found: list[cst.Name | cst.Attribute] = []

    class _References(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            found.append(node)
            node.value.visit(self)
            return False

    value.visit(_References())
    return found


def _reads(row: str, node: cst.CSTNode) -> bool:
    return any(name.value == row for name in names_in(node))


def _comments(nodes: Iterable[cst.CSTNode]) -> int:
    return sum(1 for node in nodes for child in walk(node) if isinstance(child, cst.Comment))


_SPACE = re.compile(r"\s+")
_TRUE = re.compile(r"(?:\b[\w.]*\.)?\btrue\(\)")
_FALSE = re.compile(r"(?:\b[\w.]*\.)?\bfalse\(\)")


def canonical(text: str) -> str:
    """A criterion's code, normalised so equivalent spellings compare equal."""
    text = _FALSE.sub("False", _TRUE.sub("True", _SPACE.sub("", text)))
    text = text.replace(".isnot(", ".is_not(").replace(".notin_(", ".not_in(")
    for literal in ("True", "False", "None"):
        text = re.sub(rf"^(.*)=={literal}$", rf"\1.is_({literal})", text)
        text = re.sub(rf"^(.*)!={literal}$", rf"\1.is_not({literal})", text)
    if re.fullmatch(r"[\w.]+", text):
        text += ".is_(True)"
    match = re.fullmatch(r"(?:~|not_\()([\w.]+)\)?", text)
    return f"{match.group(1)}.is_(False)" if match else text


def _redundant(term: cst.BaseExpression, source: Source) -> bool:
    existing: set[str] = set()
    allowed = {e.name for e in source.entities} | {"True", "False", "None", "true", "false"}
    for criterion in _conjuncts(source.criteria):
        if source.foreign and any(n.value not in allowed for n in names_in(criterion)):
            continue
        existing.add(canonical(code(criterion)))
    if source.entities and not source.foreign:
        head = code(source.entities[0].expr)
        existing |= {canonical(f"{head}.{k}=={code(v)}") for k, v in source.filter_by}
    return canonical(code(term)) in existing


def _conjuncts(criteria: Iterable[cst.BaseExpression]) -> list[cst.BaseExpression]:
    out: list[cst.BaseExpression] = []
    for criterion in criteria:
        func = criterion.func if isinstance(criterion, cst.Call) else None
        if func is not None and code(func).rsplit(".", 1)[-1] == "and_":
            assert isinstance(criterion, cst.Call)
            out.extend(_conjuncts(arg.value for arg in criterion.args))
        else:
            out.append(criterion)
    return out
