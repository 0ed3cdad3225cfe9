"""Where rows come from: trace an iterable back to the SQLAlchemy query that fetched it.

Recognised, through local variables and `await`:
  - 2.0 style: `session.execute(stmt)` / `.scalars(stmt)` / SQLModel's `.exec(stmt)`, then
    `.scalars()`, `.unique()`, `.all()` / `.fetchall()`, or the result iterated directly;
    `stmt` a `select(...)` chain, a variable built from one, or a call to a function of
    the same module that returns one;
  - legacy: `session.query(Model)...` (also `Model.query` from Flask-SQLAlchemy), finished
    with `.all()` or iterated, built inline, in a variable or by a same-module function.

The answer is `LeftAlone` (not a query, or one whose rows a WHERE would change: LIMIT,
OFFSET, DISTINCT, GROUP BY, windows, FOR UPDATE...), or a `Source`: the entities, where a
`.where()`/`.filter()` can be appended (the anchor), the criteria the query already has,
and a `problem` when it is a query but cannot take a fix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import libcst as cst
from libcst.metadata import GlobalScope

from fe_gen.codemods.analysis.meta import Meta
from fe_gen.codemods.analysis.reaching import Reaching
from fe_gen.codemods.models_index import ColumnInfo, ModelInfo, ModelsIndex

SELECTS = {
    "sqlalchemy.select",
    "sqlalchemy.future.select",
    "sqlalchemy.sql.select",
    "sqlalchemy.sql.expression.select",
    "sqlmodel.select",
    "sqlmodel.sql.expression.select",
}
_EXECUTORS = {"execute": "tuple", "scalars": "entity", "exec": "exec", "stream": "tuple"}
_EXECUTORS |= {"stream_scalars": "entity"}
_RESULT_METHODS = {"all", "fetchall", "unique", "scalars"}
_BUILDERS = {
    "where", "filter", "filter_by", "order_by", "options", "join", "outerjoin", "join_from",
    "outerjoin_from", "select_from", "execution_options", "populate_existing", "yield_per",
    "enable_eagerloads", "correlate", "with_hint", "params", "autoflush", "reset_joinpoint",
}  # fmt: skip
_CHANGE_ROWS = {
    "limit", "offset", "slice", "fetch", "distinct", "group_by", "having", "with_for_update",
    "union", "union_all", "except_", "except_all", "intersect", "intersect_all",
    "from_statement", "with_only_columns", "add_columns", "add_column", "with_entities",
    "subquery", "cte", "scalar_subquery", "exists", "with_statement_hint", "prefix_with",
    "suffix_with", "first", "one", "one_or_none", "scalar", "get", "count",
}  # fmt: skip
# What a query may do before loader options are added: which rows come back does not matter
# to them, what a row is does (a column list, a subquery, a count are not instances).
_KEEP_INSTANCES = {
    "limit", "offset", "slice", "fetch", "distinct", "group_by", "having", "with_for_update",
    "with_statement_hint", "prefix_with", "suffix_with",
}  # fmt: skip
_BEFORE_CRITERIA = {"select_from", "join", "outerjoin", "reset_joinpoint"}
_TERMINAL = {"all", "fetchall", "unique", "scalars", "execute", "scalar_one", "one_or_none"}
_CONSUMERS = {"builtins.list", "builtins.tuple"}


@dataclass(frozen=True)
class LeftAlone:
    """Not a finding: not rows of a query, or a query a WHERE would change."""

    reason: str


@dataclass(frozen=True)
class Entity:
    """What one argument of select(...) / query(...) selects: a mapped class (`model`), or
    one of its columns (`column`: `select(User.email)`, `expr` then the class, `User`)."""

    expr: cst.BaseExpression  # as written in select(...) / query(...)
    name: str  # the class's name, or the column's (the key of a Row)
    model: ModelInfo | None
    column: ColumnInfo | None = None


@dataclass(frozen=True)
class Source:
    """A query whose rows reach the filter."""

    entities: tuple[Entity, ...]
    legacy: bool  # Query.filter() rather than Select.where()
    anchor: cst.BaseExpression  # append `.where(...)` / `.filter(...)` to this node
    criteria: tuple[cst.BaseExpression, ...] = ()
    filter_by: tuple[tuple[str, cst.BaseExpression], ...] = ()
    shape: str = "entity"  # "entity": rows are instances; "tuple": Row tuples of entities
    executed_at: cst.CSTNode | None = None  # the call that runs it (None: iterated at the site)
    consumed: tuple[cst.Name, ...] = ()  # result variables on the way: each must be used once
    foreign: bool = False  # built in another function of the module
    problem: str | None = None  # a query, but no fix can be offered
    ordered: bool = False  # has an ORDER BY (which row comes first does not depend on a WHERE)
    links: tuple[cst.Call, ...] = ()  # every method call of the chain(s), variables included


def unchain(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, list[cst.Call]]:
    """`root.a(...).b(...)` -> (root, [a-call, b-call])."""
    links: list[cst.Call] = []
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        links.append(expr)
        expr = expr.func.value
    links.reverse()
    return expr, links


def method(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else ""


class Resolver:
    """Answers `source(iterable)` for one module; see the module docstring."""

    def __init__(
        self, meta: Meta, models: ModelsIndex, path: Path, *, loading: bool = False
    ) -> None:
        """`loading`: the question is where loader options go (FE103), not where a WHERE
        goes: LIMIT, DISTINCT & co. are fine, and the rows may be used more than once."""
        self.meta = meta
        self.models = models
        self.path = path
        self.loading = loading
        self.flow = Reaching(meta)
        self._following: set[str] = set()
        self._finished = False  # resolving what the caller finishes with .all()

    # -- what an expression evaluates to -------------------------------------------------

    def source(self, expr: cst.BaseExpression) -> Source | LeftAlone:
        if isinstance(expr, cst.Await):
            return self.source(expr.expression)
        if isinstance(expr, cst.Call) and self.meta.qualified(expr.func) & _CONSUMERS:
            if len(expr.args) != 1 or expr.args[0].star:
                return LeftAlone("not a plain list() call")
            return self._executed(self.source(expr.args[0].value), expr)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            name = method(expr)
            if name in _RESULT_METHODS and not expr.args:
                finished, self._finished = self._finished, self._finished or name != "scalars"
                try:
                    inner = self.source(expr.func.value)
                finally:
                    self._finished = finished
                if isinstance(inner, Source) and name == "scalars":
                    inner = replace(inner, shape="entity")
                return self._executed(inner, expr)
            if name in _EXECUTORS and expr.args and expr.args[0].keyword is None:
                return self._execute(expr, name)
        if isinstance(expr, cst.Name):
            return self._variable(expr)
        return self.query_object(expr)

    def sources_inside(
        self, function: cst.FunctionDef, values: list[cst.BaseExpression]
    ) -> list[Source | LeftAlone] | None:
        """What `values` (returned by `function`) are, None if `function` is being followed
        already (a recursion)."""
        name = function.name.value
        if name in self._following:
            return None
        self._following.add(name)
        try:
            return [self.source(value) for value in values]
        finally:
            self._following.discard(name)

    def _executed(self, inner: Source | LeftAlone, call: cst.CSTNode) -> Source | LeftAlone:
        if isinstance(inner, Source) and inner.executed_at is None:
            return replace(inner, executed_at=call)
        return inner

    def _execute(self, call: cst.Call, name: str) -> Source | LeftAlone:
        stmt = self.statement(call.args[0].value)
        if isinstance(stmt, LeftAlone):
            return stmt
        shape = _EXECUTORS[name]
        if shape == "exec":
            shape = "entity" if len(stmt.entities) == 1 else "tuple"
        return replace(stmt, shape=shape, executed_at=call)

    def _variable(self, name: cst.Name) -> Source | LeftAlone:
        """Rows held in a variable: the one assignment that reaches this use, and no other
        use of the rows it reaches (one on an exclusive branch makes the fix unsafe)."""
        assignments = self.meta.assignments(name)
        if not assignments:
            return LeftAlone(f"`{name.value}` is not assigned here")
        reaching = self.flow.reaching(name, assignments)
        if len(reaching) == 1:
            value = self.meta.assigned_value(reaching[0])
            if value is None:
                return LeftAlone(f"`{name.value}` is not assigned a value")
            found = self.source(value)
            if isinstance(found, Source) and found.executed_at is not None:
                uses = self.flow.uses(reaching[0], assignments)
                others = [use.node for use in uses if use.node is not name]
                if others and not self.loading:
                    if not all(self.flow.exclusive(other, name) for other in others):
                        return LeftAlone(f"the unfiltered `{name.value}` is used elsewhere")
                    problem = f"the unfiltered `{name.value}` is used on another branch"
                    found = replace(found, problem=found.problem or problem)
                return replace(found, consumed=(*found.consumed, name))
        return self.query_object(name)

    # -- lazy queries and statements ----------------------------------------------------

    def query_object(self, expr: cst.BaseExpression) -> Source | LeftAlone:
        """A legacy Query (lazy: it runs where it is iterated or `.all()`-ed)."""
        root, links = unchain(expr)
        if links and method(links[0]) == "query" and links[0].args:
            base = self._entities(links[0], legacy=True)
            if isinstance(base, LeftAlone):
                return base
            return self._links(replace(base, anchor=links[0]), links[1:])
        if isinstance(root, cst.Attribute) and root.attr.value == "query":
            entity = self._entity(root.value)
            if entity.model is None:
                return LeftAlone("not a mapped class's `.query`")
            return self._links(Source((entity,), legacy=True, anchor=root), links)
        return self._rest(root, links, legacy=True)

    def statement(self, expr: cst.BaseExpression) -> Source | LeftAlone:
        """A `select(...)` statement, inline, in a variable, or returned by a function."""
        root, links = unchain(expr)
        if isinstance(root, cst.Call) and self.meta.qualified(root.func) & SELECTS:
            base = self._entities(root, legacy=False)
            if isinstance(base, LeftAlone):
                return base
            return self._links(base, links)
        return self._rest(root, links, legacy=False)

    def _rest(
        self, root: cst.BaseExpression, links: list[cst.Call], legacy: bool
    ) -> Source | LeftAlone:
        """A chain on a variable or a function call; `module.function(...)` included."""
        base = self._built(root, legacy)
        foreign_ok = self._finished or self.loading or not legacy
        if isinstance(base, LeftAlone) and links and isinstance(root, cst.Name) and foreign_ok:
            foreign = self._foreign(links[0], legacy)
            if isinstance(foreign, Source):
                return self._links(foreign, links[1:])
        return base if isinstance(base, LeftAlone) else self._links(base, links)

    def _built(self, root: cst.BaseExpression, legacy: bool) -> Source | LeftAlone:
        if isinstance(root, cst.Name):
            return self._variable_query(root, legacy)
        if not isinstance(root, cst.Call):
            return LeftAlone("not a query")
        if isinstance(root.func, cst.Name):
            found = self._follow(root, legacy)
            if not isinstance(found, LeftAlone) or not found.reason.startswith("not a function"):
                return found
        if legacy and not (self._finished or self.loading):  # a loop runs it: finished
            return LeftAlone("a query from another module, not finished here with .all()")
        return self._foreign(root, legacy)

    def _foreign(self, call: cst.Call, legacy: bool) -> Source | LeftAlone:
        """A call to a function of another module of the project that returns a query the
        caller finishes (`.all()` or executes it): a finding, but without a fix, which would
        have to go there (or import the rows' class here)."""
        for qualified in self.meta.qualified(call.func):
            module, _, name = qualified.rpartition(".")
            if (
                module
                and "<locals>" not in module
                and self.models.returns_query(module, name, self.path)
            ):
                where = cst.Module([]).code_for_node(call.func)
                problem = f"the query is built by `{where}()` in another module"
                return Source((), legacy=legacy, anchor=call, foreign=True, problem=problem)
        return LeftAlone("not a query of this project")

    def _entities(self, call: cst.Call, legacy: bool) -> Source | LeftAlone:
        if not call.args or any(arg.keyword is not None or arg.star for arg in call.args):
            return LeftAlone("not a plain select/query call")
        entities = tuple(self._column_or_entity(arg.value) for arg in call.args)
        if any(isinstance(arg.value, cst.Call) for arg in call.args):
            return LeftAlone("selects an expression (a function or a window)")
        columns = [entity.column is not None for entity in entities]
        if any(columns) and not all(columns):
            return LeftAlone("selects classes and columns together")
        if legacy and entities[0].model is None and not all(columns):
            return LeftAlone("`.query()` of something that is not a known mapped class")
        problem = None
        if not all(columns) and any(entity.model is None for entity in entities):
            problem = "the rows' class is not a mapped class fe-gen can read"
        # query(A, B) and query(A.x) give Rows, select(A.x) scalars under .scalars()
        shape = "tuple" if legacy and (len(entities) > 1 or all(columns)) else "entity"
        return Source(entities, legacy=legacy, anchor=call, problem=problem, shape=shape)

    def _column_or_entity(self, expr: cst.BaseExpression) -> Entity:
        """`User.email` as a column of a known class, else what `_entity` makes of it."""
        if isinstance(expr, cst.Attribute) and not self.loading:
            model = self.model_of(expr.value)
            column = model.column(expr.attr.value) if model is not None else None
            if column is not None:
                return Entity(expr.value, expr.attr.value, None, column)
        return self._entity(expr)

    def model_of(self, expr: cst.BaseExpression) -> ModelInfo | None:
        """The mapped class `expr` (a name or an attribute chain) names, if any."""
        return self._entity(expr).model

    def mapped(self, expr: cst.BaseExpression) -> bool:
        """Whether `expr` (a name or an attribute chain) is a mapped class."""
        return self._entity(expr).model is not None

    def _entity(self, expr: cst.BaseExpression) -> Entity:
        name = expr.attr.value if isinstance(expr, cst.Attribute) else ""
        name = expr.value if isinstance(expr, cst.Name) else name
        model = None
        for qualified in self.meta.qualified(expr) or {name}:
            module, _, leaf = qualified.rpartition(".")
            # `from models import Provider as ProviderModel`: the class is `Provider`
            if (leaf == name or module) and "<locals>" not in qualified:
                model = self.models.lookup(leaf, module or None, self.path)
                if model is not None:
                    break
        return Entity(expr, name, model)

    def _links(self, base: Source, links: list[cst.Call]) -> Source | LeftAlone:
        criteria = list(base.criteria)
        filter_by = list(base.filter_by)
        anchor = base.anchor
        problem = base.problem
        ordered = base.ordered
        for link in links:
            name = method(link)
            ordered = ordered or name == "order_by"
            if self.loading and name in _KEEP_INSTANCES:
                continue
            if name == "distinct" and not link.args and _columns_only(base):
                continue  # a condition on the selected values commutes with DISTINCT
            if name in _CHANGE_ROWS:
                return LeftAlone(f"the query uses `.{name}()`, which a moved condition changes")
            if name in _TERMINAL:
                return LeftAlone(f"`.{name}()` has already run the query")
            if name not in _BUILDERS:
                problem = problem or f"the query calls `.{name}()`"
                continue
            if name in {"where", "filter"}:
                criteria.extend(arg.value for arg in link.args)
                anchor = link
            elif name == "filter_by":
                filter_by.extend((a.keyword.value, a.value) for a in link.args if a.keyword)
                anchor = link if base.legacy else anchor
            elif base.legacy and name in _BEFORE_CRITERIA:
                anchor = link  # Query.select_from() & co refuse a query that has criteria
        return replace(
            base,
            criteria=tuple(criteria),
            filter_by=tuple(filter_by),
            anchor=anchor,
            problem=problem,
            ordered=ordered,
            links=(*base.links, *links),
        )

    def _variable_query(self, name: cst.Name, legacy: bool) -> Source | LeftAlone:
        """A statement or Query held in a variable: all its assignments must be readable."""
        assignments = self.meta.assignments(name)
        if not assignments:
            return LeftAlone(f"`{name.value}` comes from elsewhere")
        roots: list[Source] = []
        ordered = False  # `stmt = stmt.order_by(...)` somewhere
        more: list[cst.Call] = []
        for assignment in assignments:
            value = self.meta.assigned_value(assignment)
            if value is None:
                return LeftAlone(f"`{name.value}` is bound in a way fe-gen does not follow")
            root, links = unchain(value)
            if isinstance(root, cst.Name) and root.value == name.value:
                checked = self._links(Source((), legacy, anchor=root), links)
                if isinstance(checked, LeftAlone):
                    return checked
                ordered = ordered or checked.ordered
                more.extend(checked.links)
                continue
            found = self.query_object(value) if legacy else self.statement(value)
            if isinstance(found, LeftAlone):
                return found
            roots.append(found)
        if len(roots) != 1:
            return LeftAlone(f"`{name.value}` is built from more than one query")
        first = roots[0]
        return replace(
            first,
            anchor=name,
            executed_at=None,
            ordered=first.ordered or ordered,
            links=(*first.links, *more),
        )

    def _follow(self, call: cst.Call, legacy: bool) -> Source | LeftAlone:
        """A call to a function of this module that returns a query or a statement."""
        assert isinstance(call.func, cst.Name)
        assignments = self.meta.assignments(call.func)
        if assignments is None or len(assignments) != 1:
            return LeftAlone("not a function of this module")
        definition = assignments[0].node
        if not isinstance(definition, cst.FunctionDef) or not isinstance(
            assignments[0].scope, GlobalScope
        ):
            return LeftAlone("not a function of this module")
        returns = _returns(definition)
        name = definition.name.value
        if returns is None or definition.decorators or name in self._following:
            return LeftAlone("a function fe-gen does not follow (decorated, generator, recursive)")
        self._following.add(name)
        try:
            if any(_runs(self.source(r)) for r in returns):
                return LeftAlone(f"`{name}()` runs the query itself")
            found = [self.query_object(r) if legacy else self.statement(r) for r in returns]
        finally:
            self._following.discard(name)
        sources = [f for f in found if isinstance(f, Source)]
        if len(sources) != len(found) or not sources:
            return next((f for f in found if isinstance(f, LeftAlone)), LeftAlone("no query"))
        names = {tuple(e.name for e in s.entities) for s in sources}
        problem = next((s.problem for s in sources if s.problem), None)
        if len(names) != 1:
            problem = problem or f"`{definition.name.value}()` returns different queries"
        if not self._global_entities(sources[0], call):
            problem = problem or "the rows' class is not visible where the query is finished"
        first = sources[0] if len(sources) == 1 else replace(sources[0], criteria=())
        ordered = all(s.ordered for s in sources)
        return replace(first, anchor=call, foreign=True, problem=problem, ordered=ordered)

    def _global_entities(self, source: Source, site: cst.CSTNode) -> bool:
        """Entities referred to by module-level names, not shadowed at `site`."""
        scope = self.meta.scope(site)
        for entity in source.entities:
            head = entity.expr
            while isinstance(head, cst.Attribute):
                head = head.value
            if not isinstance(head, cst.Name) or scope is None:
                return False
            own = self.meta.scope(head)
            if own is None or any(not isinstance(a.scope, GlobalScope) for a in own[head.value]):
                return False
            if any(not isinstance(a.scope, GlobalScope) for a in scope[head.value]):
                return False
        return True


def _columns_only(source: Source) -> bool:
    return bool(source.entities) and all(e.column is not None for e in source.entities)


def _runs(found: Source | LeftAlone) -> bool:
    return isinstance(found, Source) and found.executed_at is not None


def _returns(function: cst.FunctionDef) -> list[cst.BaseExpression] | None:
    found: list[cst.BaseExpression] = []
    generator = False

    class _Returns(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            if node.value is not None:
                found.append(node.value)

        def visit_Yield(self, node: cst.Yield) -> None:
            nonlocal generator
            generator = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    function.visit(_Returns())
    return None if generator or not found else found
