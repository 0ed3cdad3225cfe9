"""FE103's decision for one loop over query results: what it loads or queries per row.

`examine` matches (the loop's rows come from a query fe-gen reads, with a mapped class it
knows; what the body reads of them); `_fix` only builds the `.options(...)` to add.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from fe_gen.codemods.analysis.meta import Meta, code, names_in
from fe_gen.codemods.analysis.queries import (
    SELECTS,
    Resolver,
    Source,
    method,
    unchain,
)
from fe_gen.codemods.analysis.rows import Loop, Rows, append_options, local_rows
from fe_gen.codemods.models_index import ModelInfo
from fe_gen.codemods.rules.base import Applicability, Edit, Fix
from fe_gen.codemods.rules.fe103.batch import batch_fix
from fe_gen.codemods.rules.fe103.loaders import Path, Step, chain, settled_paths
from fe_gen.codemods.rules.fe103.lookups import Lookup, find_get, find_lookup
from fe_gen.codemods.rules.fe103.reads import Read, relationship_reads
from fe_gen.codemods.rules.fe103.routes import response, schema_reads, schema_ref

_PER_ROW_QUERIES = {"execute", "scalars", "scalar", "exec", "stream", "stream_scalars"}
_GETS = {"get", "get_one"}
_WRITES = {"add", "add_all", "flush", "commit", "execute", "merge", "delete", "refresh"}
_WRITES |= {"expire", "expire_all", "bulk_save_objects", "rollback"}
_PURE = {"append", "extend", "add", "get", "format", "join", "items", "keys", "values"}
_NO_JOIN = {"distinct", "group_by", "having"}  # a joined eager load adds columns to these


@dataclass(frozen=True)
class Verdict:
    node: cst.CSTNode
    detail: str
    fix: Fix | None
    lines: tuple[cst.CSTNode, ...] = ()


class Examiner:
    def __init__(self, meta: Meta, resolver: Resolver, module: cst.Module) -> None:
        self.meta = meta
        self.resolver = resolver
        self.module = module
        self._classes: dict[tuple[str, str], str] | None = None

    def examine(self, loop: Loop) -> list[Verdict]:
        rows = self._rows(loop)
        if rows is None:
            return []
        verdicts = self._per_row_queries(loop, rows)
        reads = relationship_reads(
            loop.row, rows.model, loop.parts, self.meta, self.resolver.models
        )
        if reads:
            verdict = self._loads(loop, rows, reads)
            if verdict is not None:
                verdicts.insert(0, verdict)
        return verdicts

    # -- where the rows come from --------------------------------------------------------

    def _rows(self, loop: Loop) -> Rows | None:
        source = self.resolver.source(loop.iterable)
        if isinstance(source, Source) and source.foreign and not source.entities:
            return self._foreign_rows(source)
        return local_rows(self.resolver, loop)

    def _foreign_rows(self, source: Source) -> Rows | None:
        """Rows of a query another module's function builds: reported, never fixed here."""
        call = source.anchor
        if not isinstance(call, cst.Call):
            return None
        for qualified in self.meta.qualified(call.func):
            module, _, name = qualified.rpartition(".")
            if not module or "<locals>" in module:
                continue
            model = self.resolver.models.query_model(module, name, self.resolver.path)
            if model is not None:
                return Rows(source, model, model.name, None, "", code(call.func))
        return None

    # -- relationships read per row ------------------------------------------------------

    def examine_route(self, function: cst.FunctionDef) -> list[Verdict]:
        """A route returning rows whose response schema nests lazy relationships."""
        answer = response(function)
        if answer is None or not answer.many:
            return []
        ref = schema_ref(answer.schema, self.meta, self.resolver.path)
        verdicts = []
        for returned in answer.returns:
            if returned.value is None:
                continue
            loop = Loop(returned, cst.Name("_"), returned.value, [])
            rows = self._rows(loop)
            if rows is None:
                continue
            reads = schema_reads(ref, rows.model, returned.value, self.resolver.models)
            what = f"the response `{code(answer.schema)}` nests"
            verdict = self._loads(loop, rows, reads, what) if reads else None
            if verdict is not None:
                verdicts.append(verdict)
        return verdicts

    def _loads(self, loop: Loop, rows: Rows, reads: list[Read], what: str = "") -> Verdict | None:
        settled = settled_paths(rows.source.links, self.meta)
        if settled is None:
            return None  # options fe-gen cannot read: maybe they load it
        missing = [read for read in reads if read.path not in settled]
        if not missing:
            return None
        first = missing[0]
        if what:
            paths = ", ".join(dict.fromkeys(".".join(read.path) for read in missing))
            detail = f"{what} `{paths}`, lazy-loaded once per row as it is serialised"
        else:
            names = ", ".join(dict.fromkeys(code(read.node) for read in missing))
            detail = f"`{names}` lazy-loads once per row"
        steps = self._steps(rows, missing, settled)
        if rows.statement is None:
            steps = f"the query is built by `{rows.builder}()` in another module"
        statement = self.meta.statement(loop.node)
        lines = (statement,) if statement is not None else ()
        if isinstance(steps, str):
            return Verdict(first.node, f"{detail}; no fix: {steps}", None, lines)
        options = ", ".join(code(chain(s)) for s in steps)
        fix = self._fix(rows, steps, self._writes(loop, rows))
        return Verdict(
            first.node, f"{detail}; load it with the query: `.options({options})`", fix, lines
        )

    def _steps(self, rows: Rows, reads: list[Read], settled: set[Path]) -> list[list[Step]] | str:
        """One loader chain per longest missing path, or why there can be none."""
        by_path = {read.path: read for read in reads}
        longest = [p for p in by_path if not any(q[: len(p)] == p and q != p for q in by_path)]
        joins_ok = not {method(link) for link in rows.source.links} & _NO_JOIN
        chains: list[list[Step]] = []
        for path in sorted(longest):
            steps: list[Step] = []
            for index, hop in enumerate(by_path[path].hops):
                owner = rows.entity if index == 0 else self._class_name(hop.owner)
                if owner is None:
                    return f"`{hop.owner.name}` is not imported in this module"
                prefix = path[: index + 1]
                if prefix in settled:
                    loader = "defaultload"
                elif hop.relationship.uselist is False and joins_ok:
                    loader = "joinedload"
                else:
                    loader = "selectinload"
                steps.append(Step(loader, owner, hop.relationship.name))
            chains.append(steps)
        return chains

    def _fix(self, rows: Rows, steps: list[list[Step]], writes: bool) -> Fix:
        options = [chain(s) for s in steps]

        def rebuild(updated: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(updated, cst.BaseExpression)
            return append_options(updated, options)

        loaders = sorted({step.loader for s in steps for step in s})
        note = ""
        if writes:
            note = (
                "the session writes between the query and the reads: a lazy load would"
                " see those writes, a load with the query does not"
            )
        assert rows.statement is not None  # a query of this module: where the options go
        return Fix(
            edits=(Edit(rows.statement, rebuild),),
            applicability=Applicability.UNSAFE if writes else Applicability.SAFE,
            imports=tuple(("sqlalchemy.orm", loader) for loader in loaders),
            note=note,
        )

    def _writes(self, loop: Loop, rows: Rows) -> bool:
        """Whether the session may write after the query and before the loop ends: a write
        method of the session, or a function of unknown code handed the session or a row."""
        if rows.statement is None:
            return True  # the query runs elsewhere: what happens in between is unknown
        low = self.meta.start(rows.statement)
        high = self.meta.end(loop.node)
        function = self.meta.function(loop.node)
        if function is None:
            return True
        handed = {rows.session, code(loop.row)} - {""}
        # `Model.query`, `db.session`: a session any function may reach without being handed it
        global_session = rows.session in {"", "db.session"}
        found = False
        meta = self.meta
        resolver = self.resolver

        class _Calls(cst.CSTVisitor):
            def visit_Call(self, call: cst.Call) -> None:
                nonlocal found
                if found or not low <= meta.start(call) <= high:
                    return
                if method(call) in _WRITES and _session_like(call, rows.session):
                    first = call.args[0].value if call.args else None
                    reads = first is not None and _statement_kind(first, resolver) == "select"
                    found = not reads or method(call) != "execute"
                elif not isinstance(call.func, cst.Attribute) or method(call) not in _PURE:
                    builtin = any(n.startswith("builtins.") for n in meta.qualified(call.func))
                    given = {code(arg.value) for arg in call.args}
                    name = call.func.value if isinstance(call.func, cst.Name) else method(call)
                    unknown = not builtin and not name[:1].isupper()  # a class: a constructor
                    plain = isinstance(call.func, cst.Name)  # a function, not a method
                    found = unknown and ((global_session and plain) or bool(given & handed))

        function.visit(_Calls())
        return found

    def _class_name(self, model: ModelInfo) -> str | None:
        """The module-level name this module gives a mapped class, if any."""
        if self._classes is None:
            self._classes = {}
            for statement in self.module.body:
                for local, module, original in _top_level_names(statement):
                    found = self.resolver.models.lookup(original, module, self.resolver.path)
                    if found is not None:
                        self._classes.setdefault((str(found.path), found.name), local)
        return self._classes.get((str(model.path), model.name))

    # -- queries run per row -------------------------------------------------------------

    def _per_row_queries(self, loop: Loop, rows: Rows) -> list[Verdict]:
        if not isinstance(loop.row, cst.Name):
            return []
        row = loop.row.value
        found: list[Verdict] = []
        resolver = self.resolver
        session = rows.session
        meta = self.meta

        gets: list[Lookup] = []
        covered: set[int] = set()  # calls inside a lookup: judged with it
        low, high = meta.start(loop.node), meta.end(loop.node)

        def inside(node: cst.CSTNode) -> bool:
            return low <= meta.start(node) and meta.end(node) <= high

        class _Calls(cst.CSTVisitor):
            def visit_Call(self, call: cst.Call) -> None:
                if id(call) in covered:
                    return
                if not any(name.value == row for name in names_in(call)):
                    held = find_lookup(call, row, meta, resolver)  # `stmt` built in the loop
                    if held is not None and held.held is not None and inside(held.held):
                        gets.append(held)
                        covered.update(id(inner) for inner in _calls(held.node))
                    return
                get = find_get(call, row, meta, resolver) or find_lookup(call, row, meta, resolver)
                if get is not None:
                    gets.append(get)
                    covered.update(id(inner) for inner in _calls(get.node))
                    return
                parent = meta.parent(call)
                above = meta.parent(parent) if isinstance(parent, cst.Attribute) else None
                if isinstance(above, cst.Call) and above.func is parent:
                    return  # a link of a longer chain: the chain is judged whole
                detail = _per_row(call, resolver, session)
                if detail is not None:
                    found.append(Verdict(call, detail, None))

            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                return False

            def visit_Lambda(self, node: cst.Lambda) -> bool:
                return False

        for part in loop.parts:
            part.visit(_Calls())
        return self._batches(loop, rows, gets) + found

    def _guarded(self, node: cst.CSTNode, loop: Loop) -> bool:
        """Whether `node` runs only for some rows: under an `if` inside the loop (a lookup
        memoised by key, `if users is None: users = ...`, runs once per distinct key)."""
        for ancestor in self.meta.ancestors(node):
            if ancestor is loop.node:
                return False
            if isinstance(ancestor, cst.If | cst.IfExp):
                return True
        return False

    def _batches(self, loop: Loop, rows: Rows, gets: list[Lookup]) -> list[Verdict]:
        """One finding per lookup (session, model, key, query) run per row."""
        groups: dict[tuple[str, ...], list[Lookup]] = {}
        for get in gets:
            plain = get.statement is None or (get.only_key and get.shape == "one")
            statement = "" if plain or get.statement is None else code(get.statement)
            same = (get.session, get.model.name, get.column, code(get.key), get.shape, statement)
            groups.setdefault((*same, str(get.awaited)), []).append(get)
        verdicts = []
        for group in groups.values():
            first = group[0]
            per = (
                "for each row that gets past an `if`"
                if self._guarded(first.node, loop)
                else "per row"
            )
            detail = (
                f"{first.what} runs a query {per}; fetch them with one"
                f" `.where({code(first.model_expr)}.{first.column or '<key>'}.in_(...))` query"
                " before the loop"
            )
            fix, why = None, "the session may write in the loop (or code handed it or a row)"
            if not self._writes(loop, rows):
                fix, why = batch_fix(
                    loop, group, rows.model, self.meta, self.module, rows.statement
                )
            detail = detail if fix is not None else f"{detail}; no fix: {why}"
            extra = tuple(get.node for get in group[1:])
            verdicts.append(Verdict(first.node, detail, fix, extra))
        return verdicts


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    found: list[cst.Call] = []

    class _Collect(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call)

    node.visit(_Collect())
    return found


def _per_row(call: cst.Call, resolver: Resolver, session: str) -> str | None:
    """Why a call chain runs a query (or may) once per row; None when it does not."""
    root, links = unchain(call)
    query = root if isinstance(root, cst.Attribute) and root.attr.value == "query" else None
    if query is not None and links and resolver.mapped(query.value):  # Model.query...
        return f"`{code(query)}...` runs a query per row; run one query before the loop"
    for link in links or [call]:
        detail = _link_queries(link, resolver)
        if detail is not None:
            return detail
    if session and any(code(arg.value) == session for arg in call.args):
        return (
            f"`{code(call.func)}()` is called with `{session}` once per row: if it queries,"
            " that is one query per row"
        )
    return None


def _link_queries(call: cst.Call, resolver: Resolver) -> str | None:
    name = method(call)
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
    first = call.args[0].value if call.args and not call.args[0].keyword else None
    if receiver is None or first is None:
        return None
    if name in _GETS and resolver.mapped(first):
        return (
            f"`{code(call)}` runs a query per row; fetch them with one"
            f" `.where({code(first)}.<key>.in_(...))` query before the loop"
        )
    kind = _statement_kind(first, resolver) if name in _PER_ROW_QUERIES else ""
    if kind == "select":
        return f"`{code(call.func)}(...)` runs a query per row; run one query before the loop"
    if kind == "write":
        return f"`{code(call.func)}(...)` writes once per row; one statement for all rows would do"
    if name == "query" and resolver.mapped(first):
        return f"`{code(call.func)}(...)` runs a query per row; run one query before the loop"
    return None


_WRITE_STATEMENTS = {f"sqlalchemy.{name}" for name in ("update", "insert", "delete")}
_WRITE_STATEMENTS |= {f"sqlalchemy.sql.expression.{n}" for n in ("update", "insert", "delete")}


def _statement_kind(expr: cst.BaseExpression, resolver: Resolver) -> str:
    """ "select" or "write" for a statement built with select() / update() & co (inline or
    in a variable assigned once), "" for anything else."""
    meta = resolver.meta
    root, _ = unchain(expr)
    if isinstance(root, cst.Name):
        assignments = meta.assignments(root)
        value = (
            meta.assigned_value(assignments[0]) if assignments and len(assignments) == 1 else None
        )
        if value is None:
            return ""
        root, _ = unchain(value)
    if not isinstance(root, cst.Call):
        return ""
    names = meta.qualified(root.func)
    return "select" if names & SELECTS else "write" if names & _WRITE_STATEMENTS else ""


def _session_like(call: cst.Call, session: str) -> bool:
    if not isinstance(call.func, cst.Attribute):
        return False
    receiver = code(call.func.value)
    return receiver == session or receiver.endswith(("session", "db"))


def _top_level_names(statement: cst.CSTNode) -> list[tuple[str, str | None, str]]:
    """(local name, module, original name) of the classes a top-level statement binds."""
    if isinstance(statement, cst.ClassDef):
        return [(statement.name.value, None, statement.name.value)]
    found: list[tuple[str, str | None, str]] = []
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target  # a class the engine left out: `User = ...`
                if isinstance(target, cst.Name):
                    found.append((target.value, None, target.value))
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                dots = "." * len(small.relative)
                module = dots + (code(small.module) if small.module is not None else "")
                for alias in small.names:
                    original = code(alias.name)
                    local = code(alias.asname.name) if alias.asname is not None else original
                    found.append((local, module, original))
    return found
