"""Which names are mapped classes, and what their columns are: read statically, never imported.

A class is mapped when it derives, transitively within the scanned tree, from a declarative
base (`class Base(DeclarativeBase)`, `Base = declarative_base()`, Flask's `db.Model`,
`SQLModel` with `table=True`) or carries a registry's `@mapped` decorator. Its attributes
come from its own body and its bases in method-resolution order, mixins included.

With `--models`, the classes SQLAlchemy mapped replace that reading (`imported_models`).

The index is lazy: a lookup finds the files that define the name by a text search, parses
only those (and their bases') with LibCST, and caches the result. Anything it cannot
resolve is left out, and callers treat a missing class or column as "no fix".
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fe_gen.codemods.analysis.decls import (
    AttrDecl,
    ClassDecl,
    FileDecls,
    is_query,
    outline,
    parse_tolerant,
)
from fe_gen.codemods.sources import SourceSet, module_matches

if TYPE_CHECKING:
    from fe_gen.codemods.imported_models import ImportedModels

_ROOT_BASES = {"DeclarativeBase", "DeclarativeBaseNoMeta"}
_MAX_DEPTH = 25


@dataclass(frozen=True)
class ColumnInfo:
    """A mapped column attribute: nullable is True when it is, or when we cannot tell."""

    name: str
    nullable: bool
    kind: str  # "str", "int", "float", "numeric", "bool", "datetime", "date", ..., "unknown"
    unique: bool = False  # a primary key or a unique column


@dataclass(frozen=True)
class RelationshipInfo:
    """A relationship attribute: `uselist` None when fe-gen cannot tell the direction;
    `lazy` the configured strategy ("select" by default), None when it is not a literal."""

    name: str
    target: str
    uselist: bool | None
    lazy: str | None

    @property
    def loads_per_row(self) -> bool:
        """Whether reading it on each of N rows runs a query each time (lazy="select")."""
        return self.lazy == "select"


@dataclass(frozen=True)
class ModelInfo:
    """A mapped class: where it is defined and its attributes (columns and everything else)."""

    name: str
    path: Path
    attrs: Mapping[str, AttrDecl]

    def column(self, attr: str) -> ColumnInfo | None:
        """The column mapped under `attr`, or None for relationships, properties, unknowns."""
        decl = self.attrs.get(attr)
        if decl is None or decl.kind != "column":
            return None
        return ColumnInfo(attr, decl.nullable, decl.sql_kind, decl.unique)

    def primary_key(self) -> ColumnInfo | None:
        """The one primary-key column (None when it is composite, or not declared here)."""
        keys = [name for name, decl in self.attrs.items() if decl.primary]
        return self.column(keys[0]) if len(keys) == 1 else None

    def relationship(self, attr: str) -> RelationshipInfo | None:
        """The relationship mapped under `attr`, or None for anything else."""
        decl = self.attrs.get(attr)
        if decl is None or decl.kind != "relationship":
            return None
        return RelationshipInfo(attr, decl.target, decl.uselist, decl.lazy)


@dataclass(frozen=True)
class SchemaRef:
    """A class named by a schema's field: its name, module (if imported) and the file
    that names it, as `ModelsIndex.schema_fields` takes them back."""

    name: str
    module: str | None
    path: Path


_SCHEMA_ROOTS = {"BaseModel", "SQLModel", "Generic", "object"}


@dataclass(frozen=True)
class _Root:
    """A declarative base; `cls` is the class passed as `declarative_base(cls=...)`."""

    cls: str = ""
    is_class: bool = False  # DeclarativeBase & co: subclassing it makes the base, not a model


@dataclass(frozen=True)
class _ClassRef:
    path: Path
    decls: FileDecls
    decl: ClassDecl


class ModelsIndex:
    """Lazy, cached lookups of mapped classes by name; with `imported` (`--models`), the
    mapped classes are those SQLAlchemy configured, and only those."""

    def __init__(self, sources: SourceSet, imported: ImportedModels | None = None) -> None:
        self._sources = sources
        self._imported = imported
        self._decls: dict[Path, FileDecls | None] = {}
        self._models: dict[tuple[str, str | None, Path], ModelInfo | None] = {}
        self._trees: dict[Path, ast.Module | None] = {}

    def returns_query(self, module: str, name: str, from_path: Path) -> bool:
        """Whether `module.name` is an undecorated function of the project whose every
        `return` is a SQLAlchemy query (`x.query(...)...` or `select(...)...`)."""
        path = self._sources.module_file(module, from_path)
        tree = self._tree(path) if path is not None else None
        if tree is None:
            return False
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                returns = [r.value for r in ast.walk(node) if isinstance(r, ast.Return)]
                return bool(returns) and not node.decorator_list and all(map(is_query, returns))
        return False

    def function(
        self, module: str | None, name: str, from_path: Path
    ) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The module-level function `name` of `module` (None: of the file `from_path`),
        as the stdlib parser reads it from the file's text; None when not found."""
        path = from_path if module is None else self._sources.module_file(module, from_path)
        tree = self._tree(path) if path is not None else None
        found = [
            node
            for node in (tree.body if tree is not None else ())
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
        ]
        return found[0] if len(found) == 1 else None

    def query_model(self, module: str, name: str, from_path: Path) -> ModelInfo | None:
        """The mapped class of the rows of the query `module.name` returns, when every
        `return` is such a query of one class (`x.query(M)...`, `select(M)...`) that sets
        no loader options; None otherwise."""
        path = self._sources.module_file(module, from_path)
        tree = self._tree(path) if path is not None else None
        decls = self._file(path) if path is not None else None
        if tree is None or decls is None or path is None:
            return None
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                returns = [r.value for r in ast.walk(node) if isinstance(r, ast.Return)]
                if node.decorator_list or not returns or not all(map(is_query, returns)):
                    return None
                entities = {_query_entity(value) for value in returns}
                if len(entities) != 1 or "" in entities:
                    return None
                entity = entities.pop()
                module_name, original = decls.imports.get(entity, (None, entity))
                return self.lookup(original or entity, module_name, path)
        return None

    def lookup(self, name: str, module: str | None, from_path: Path) -> ModelInfo | None:
        """The mapped class `name` (imported from `module`, if known) as seen from a file."""
        if self._imported is not None:
            return self._imported.find(name, module)
        key = (name, module, from_path)
        if key not in self._models:
            found = self._find(name, module, from_path)
            model = None
            if isinstance(found, _ClassRef):
                model = self._build(found)
            self._models[key] = model
        return self._models[key]

    def target(self, model: ModelInfo, relationship: RelationshipInfo) -> ModelInfo | None:
        """The mapped class a relationship of `model` leads to, as its file names it."""
        module, _, name = relationship.target.rpartition(".")
        if self._imported is not None:
            return self._imported.find(name, module or None)
        if not name:
            return None
        decls = self._file(model.path)
        if not module and decls is not None and name in decls.imports:
            module, name = decls.imports[name]
            name = name or relationship.target
        return self.lookup(name, module or None, model.path)

    def schema_fields(
        self, name: str, module: str | None, from_path: Path
    ) -> dict[str, tuple[SchemaRef, bool]] | None:
        """The fields of class `name` (a response schema, own and inherited) that hold
        another class: field -> (where that class is, whether the field holds several).
        None when the class cannot be found or one of its bases cannot be read."""
        found = self._find(name, module, from_path)
        if not isinstance(found, _ClassRef):
            return None
        fields: dict[str, tuple[SchemaRef, bool]] = {}
        stack, seen = [found], set[tuple[Path, str]]()
        while stack:
            ref = stack.pop(0)
            if (ref.path, ref.decl.name) in seen or len(seen) > _MAX_DEPTH:
                continue
            seen.add((ref.path, ref.decl.name))
            for field_name, (held, many) in ref.decl.holds.items():
                module_name, _, leaf = held.rpartition(".")
                if not module_name and leaf in ref.decls.imports:
                    module_name, original = ref.decls.imports[leaf]
                    leaf = original or leaf
                fields.setdefault(
                    field_name, (SchemaRef(leaf, module_name or None, ref.path), many)
                )
            for base in ref.decl.bases:
                resolved = self._resolve_base(base, ref)
                if isinstance(resolved, _ClassRef):
                    stack.append(resolved)
                elif resolved is None and base.rsplit(".", 1)[-1] not in _SCHEMA_ROOTS:
                    return None
        return fields

    def _tree(self, path: Path) -> ast.Module | None:
        """A module's stdlib AST, parsed once (functions that return queries are read there)."""
        if path not in self._trees:
            text = self._sources.text(path)
            self._trees[path] = parse_tolerant(text) if text is not None else None
        return self._trees[path]

    def _file(self, path: Path) -> FileDecls | None:
        if path not in self._decls:
            text = self._sources.text(path)
            self._decls[path] = outline(text) if text is not None else None
        return self._decls[path]

    def _find(self, name: str, module: str | None, from_path: Path) -> _ClassRef | _Root | None:
        candidates = self._sources.defining(name)
        chosen: list[Path] = []
        if module is not None:
            chosen = [p for p in candidates if module_matches(p, module, from_path)]
        if len(chosen) != 1:
            chosen = [from_path] if from_path in candidates else candidates
        if len(chosen) != 1:
            return None
        decls = self._file(chosen[0])
        if decls is None:
            return None
        if name in decls.bases:
            return _Root(decls.bases[name])
        decl = decls.cls(name)
        return _ClassRef(chosen[0], decls, decl) if decl is not None else None

    def _resolve_base(self, base: str, ref: _ClassRef) -> _ClassRef | _Root | bool | None:
        """The base's class or root; None if unresolved; False for `object` (nothing)."""
        if base == "object":
            return False
        last = base.rsplit(".", 1)[-1]
        if last in _ROOT_BASES:
            return _Root(is_class=True)
        if last == "SQLModel" or (last == "Model" and "." in base):
            return _Root()
        head, _, rest = base.partition(".")
        if rest:
            imported = ref.decls.imports.get(head)
            if imported is None:
                return None
            module = ".".join(p for p in imported if p)
            inner, _, leaf = rest.rpartition(".")
            return self._find(leaf, f"{module}.{inner}" if inner else module, ref.path)
        if base in ref.decls.bases:
            return _Root(ref.decls.bases[base])
        local = ref.decls.cls(base)
        if local is not None:
            return _ClassRef(ref.path, ref.decls, local)
        if base in ref.decls.imports:
            module, original = ref.decls.imports[base]
            return self._find(original, module, ref.path)
        return self._find(base, None, ref.path)

    def _linearize(
        self, ref: _ClassRef, seen: set[tuple[Path, str]], depth: int
    ) -> tuple[list[ClassDecl | None], bool]:
        """Classes in (approximate) MRO order, None where a base could not be resolved."""
        order: list[ClassDecl | None] = [ref.decl]
        rooted = any(
            d.endswith(".mapped") or d.endswith("mapped_as_dataclass") for d in ref.decl.decorators
        )
        if depth > _MAX_DEPTH:
            return [*order, None], rooted
        for base in ref.decl.bases:
            found = self._resolve_base(base, ref)
            if found is False:
                continue
            if isinstance(found, _Root):
                rooted = True
                if found.cls:
                    extra = self._resolve_base(found.cls, ref)
                    found = extra if isinstance(extra, _ClassRef) else None
                    if found is None:
                        order.append(None)
                        continue
                else:
                    continue
            if not isinstance(found, _ClassRef):
                order.append(None)
                continue
            key = (found.path, found.decl.name)
            if key in seen:
                continue
            seen.add(key)
            sub, sub_rooted = self._linearize(found, seen, depth + 1)
            order.extend(sub)
            rooted = rooted or sub_rooted
        return order, rooted

    def _is_declarative_base(self, ref: _ClassRef) -> bool:
        """`class Base(DeclarativeBase)`: the base itself, not a mapped class."""
        for base in ref.decl.bases:
            found = self._resolve_base(base, ref)
            if isinstance(found, _Root) and found.is_class:
                return True
        return False

    def _build(self, ref: _ClassRef) -> ModelInfo | None:
        order, rooted = self._linearize(ref, {(ref.path, ref.decl.name)}, 0)
        sqlmodel = any(b.rsplit(".", 1)[-1] == "SQLModel" for b in _all_bases(order))
        if not rooted or ref.decl.abstract or self._is_declarative_base(ref):
            return None
        if sqlmodel and ref.decl.keywords.get("table") != "True":
            return None
        attrs: dict[str, AttrDecl] = {}
        blocked = False
        for decl in order:
            if decl is None:
                blocked = True
                continue
            for name, attr in decl.attrs.items():
                attrs.setdefault(name, AttrDecl("other") if blocked else attr)
        return ModelInfo(ref.decl.name, ref.path, attrs)


def _query_entity(value: ast.expr | None) -> str:
    """`M` of `x.query(M)...` / `select(M)...` without `.options(...)`; '' otherwise."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        if value.func.attr == "options":
            return ""
        if value.func.attr == "query":
            break
        value = value.func.value
    if not isinstance(value, ast.Call) or len(value.args) != 1 or value.keywords:
        return ""
    entity = value.args[0]
    return entity.id if isinstance(entity, ast.Name) else ""


def _all_bases(order: list[ClassDecl | None]) -> Iterable[str]:
    for decl in order:
        if decl is not None:
            yield from decl.bases
