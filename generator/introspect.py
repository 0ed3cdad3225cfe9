"""Mapped classes -> IR: the one module that reads SQLAlchemy's inspection API.

Everything comes from mappers and Tables, never from source text, so mixins, `type()`
classes, imperative mappings and every declarative flavour look the same. Mapped classes
are found through their registries; the output keeps a stable order (registries as found,
classes in table order) so that it does not change between runs.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from sqlalchemy import Column as SAColumn
from sqlalchemy import MetaData, Table, exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, configure_mappers, registry
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, ColumnElement

from fe_gen.generator import introspect_columns as cols
from fe_gen.generator import introspect_relations as rels
from fe_gen.generator.column_types import type_ref
from fe_gen.generator.ddl import ddl_and_failures
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import (
    Diagnostic,
    Inheritance,
    InheritedTable,
    Model,
    Schema,
    Source,
    TypeRef,
)

_REGISTRY_ATTRIBUTES = ("registry", "_sa_registry")
"""Where a declarative Base keeps its registry; `_sa_registry` is SQLModel's."""


@dataclass(frozen=True)
class Found:
    """An object found in a module's namespace, with the name it is bound to."""

    ref: TypeRef
    value: object


def find_targets(modules: Iterable[ModuleType]) -> list[Found]:
    """Everything in the modules' namespaces that leads to a registry, in namespace order."""
    found: list[Found] = []
    for module in modules:
        for name, value in list(vars(module).items()):
            if not isinstance(value, ModuleType) and registry_of(value) is not None:
                found.append(Found(TypeRef(module.__name__, name), value))
    return found


def registry_of(value: object) -> registry | None:
    """The registry behind a mapped class, a Base, a registry or a Flask-SQLAlchemy `db`."""
    if isinstance(value, registry):
        return value
    if isinstance(value, type):
        mapper: object = sa_inspect(value, raiseerr=False)
        if isinstance(mapper, Mapper):
            return mapper.registry
        for name in _REGISTRY_ATTRIBUTES:
            owned = _safe_getattr(value, name)
            if isinstance(owned, registry):
                return owned
        return None
    model = _safe_getattr(value, "Model")
    return registry_of(model) if isinstance(model, type) else None


def _safe_getattr(value: object, name: str) -> Any:
    """Attribute lookup on user objects, which may be lazy proxies that raise anything."""
    try:
        return getattr(value, name, None)
    except Exception:
        return None


def introspect(
    targets: Iterable[object], *, source: Source, metadata: MetaData | None = None
) -> Schema:
    """Read every class mapped through the targets' registries into a Schema.

    `targets` holds `Found` entries or bare objects (mapped classes, Bases, registries,
    Flask-SQLAlchemy `db` objects); `metadata` keeps only the classes whose table it holds.
    """
    bases = _registries(targets)
    _configure(bases)
    mappers = [
        mapper
        for reg in bases
        for mapper in _ordered_mappers(reg)
        if metadata is None or _metadata_of(mapper) is metadata
    ]
    if not mappers:
        raise FeGenError(
            f"no mapped classes found in {source.location}: define models on a declarative "
            "Base (or a registry) and import them there, or name the Base as module:Base"
        )
    _check_unique_names(mappers)
    diagnostics: list[Diagnostic] = []
    homes = _homes(mappers, source, diagnostics)
    mappers = [mapper for mapper in mappers if mapper.class_ in homes]
    models = tuple(
        dataclasses.replace(_model(mapper, diagnostics), module=homes[mapper.class_])
        for mapper in mappers
    )
    models = _without_outside_targets(models, diagnostics)
    ddl_scripts = _ddl_scripts(mappers, diagnostics)
    metadata_found = (_metadata_of(mapper) for mapper in mappers)
    ddl, ddl_failures = ddl_and_failures(
        dict.fromkeys(each for each in metadata_found if each is not None)
    )
    return Schema(
        source=source,
        bases=tuple(dict.fromkeys(ref for ref in bases.values())),
        models=models,
        diagnostics=tuple(diagnostics),
        ddl_scripts=ddl_scripts,
        ddl=ddl,
        ddl_failures=ddl_failures,
    )


def _registries(targets: Iterable[object]) -> dict[registry, TypeRef]:
    """Each registry once, in the order found, with the Base (or name) that owns it."""
    found = [t if isinstance(t, Found) else Found(TypeRef("", ""), t) for t in targets]
    candidates: dict[registry, list[tuple[int, TypeRef]]] = {}
    for target in found:
        reg = registry_of(target.value)
        if reg is not None:
            candidates.setdefault(reg, []).extend(_ref_candidates(target, reg, found))
    return {
        reg: min(refs, key=lambda pair: pair[0])[1] if refs else _fallback_ref(reg)
        for reg, refs in candidates.items()
    }


def _ref_candidates(
    target: Found, reg: registry, found: list[Found]
) -> Iterator[tuple[int, TypeRef]]:
    """Ways to name what owns `reg`, best (lowest rank) first: where the class is defined,
    where it is bound, a Flask-SQLAlchemy `db.Model`, the registry's own name."""
    value = target.value
    model = _safe_getattr(value, "Model") if not isinstance(value, type | registry) else None
    owner = _owner(model if isinstance(model, type) else value, reg)
    if owner is not None:
        ref = _importable_ref(owner)
        if ref is not None:
            yield 0, ref
        yield from ((1, f.ref) for f in found if f.value is owner and f.ref.module)
    if target.ref.module and owner is not None and isinstance(model, type):
        yield 2, TypeRef(target.ref.module, f"{target.ref.name}.Model")
    if target.ref.module and value is reg:
        yield 3, target.ref


def _owner(value: object, reg: registry) -> type[Any] | None:
    """The declarative Base whose namespace holds `reg`, if `value` is or extends one."""
    if isinstance(value, type):
        for cls in value.__mro__:
            if any(vars(cls).get(name) is reg for name in _REGISTRY_ATTRIBUTES):
                return cls
    return None


def _importable_ref(cls: type[Any]) -> TypeRef | None:
    """`module.qualname` of a class when importing that really yields the class."""
    value: object = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        value = _safe_getattr(value, part)
    return type_ref(cls) if value is cls else None


def _fallback_ref(reg: registry) -> TypeRef:
    for mapper in _ordered_mappers(reg):
        owner = _owner(mapper.class_, reg)
        ref = _importable_ref(owner) if owner is not None else None
        if ref is not None:
            return ref
    return TypeRef("sqlalchemy.orm", "registry")


def _ordered_mappers(reg: registry) -> list[Mapper[Any]]:
    """The registry's mappers in table declaration order (`registry.mappers` is a set)."""
    return sorted(reg.mappers, key=_mapper_sort_key)


def _mapper_sort_key(mapper: Mapper[Any]) -> tuple[int, int, str, str]:
    table = mapper.local_table
    position = -1
    if isinstance(table, Table):
        position = list(table.metadata.tables).index(table.key)
    depth = len(list(mapper.iterate_to_root()))
    cls = mapper.class_
    return position, depth, cls.__qualname__, cls.__module__


def _metadata_of(mapper: Mapper[Any]) -> MetaData | None:
    table = mapper.local_table
    return table.metadata if isinstance(table, Table) else None


def _configure(registries: Iterable[registry]) -> None:
    """configure_mappers(), with its errors turned into one line naming the relationship."""
    try:
        configure_mappers()
    except exc.SQLAlchemyError as error:
        mappers = [mapper for reg in registries for mapper in reg.mappers]
        raise FeGenError(rels.configure_error_message(error, mappers)) from None
    except Exception as error:  # the user's code, run by configure: relationship lambdas ...
        message = " ".join(str(error).split())
        raise FeGenError(
            f"configuring the mapped classes failed: {type(error).__name__}: {message}"
        ) from None


def _homes(
    mappers: list[Mapper[Any]], source: Source, diagnostics: list[Diagnostic]
) -> dict[type[Any], str]:
    """The module the project imports each class from, by its class name.

    A class made by `type()` and kept in a dict (or made in a function) has no such module:
    it is left out with a note, and so are its subclasses.
    """
    homes: dict[type[Any], str] = {}
    left_out: set[type[Any]] = set()
    for mapper in mappers:
        cls = mapper.class_
        home = _home(cls)
        parent = next((m.class_ for m in mapper.iterate_to_root() if m.class_ in left_out), None)
        if home is not None and parent is None:
            homes[cls] = home
            continue
        left_out.add(cls)
        name = cls.__name__
        message = (
            f"left out: no module has it as {name} (a class made by type() and kept in a dict, "
            f"or made in a function), so the project can't import it; bind it to a module-level "
            f"name {name} to serve it"
            if parent is None
            else f"left out with its parent {parent.__name__}, which the project can't import"
        )
        diagnostics.append(Diagnostic("warning", name, None, message))
    if not homes:
        names = ", ".join(mapper.class_.__name__ for mapper in mappers)
        raise FeGenError(
            f"no mapped class of {source.location} can be imported by its name ({names}): "
            "classes kept in a dict or made in a function are out of reach; bind each to a "
            "module-level name of its own"
        )
    return homes


def _home(cls: type[Any]) -> str | None:
    """`cls.__module__` if it has `cls` by its name, else the first module that does."""
    home: str = cls.__module__
    if _safe_getattr(sys.modules.get(home), cls.__name__) is cls:
        return home
    for name, module in list(sys.modules.items()):
        namespace = _safe_getattr(module, "__dict__")
        if (
            isinstance(namespace, dict)
            and namespace.get(cls.__name__) is cls
            and name != "__main__"
        ):
            return name
    return None


def _check_unique_names(mappers: list[Mapper[Any]]) -> None:
    """Models are known by class name downstream (files, routes), so names must not clash."""
    seen: dict[str, type[Any]] = {}
    for mapper in mappers:
        cls = mapper.class_
        other = seen.setdefault(cls.__name__, cls)
        if other is not cls:
            raise FeGenError(
                f"two mapped classes are named {cls.__name__}: {other.__module__}."
                f"{other.__qualname__} and {cls.__module__}.{cls.__qualname__}; rename one, "
                "or pick one Base with module:Base"
            )


def _without_outside_targets(
    models: tuple[Model, ...], diagnostics: list[Diagnostic]
) -> tuple[Model, ...]:
    """Relationships to classes left out (another Base, another MetaData) cannot be included."""
    names = {model.name for model in models}
    result = []
    for model in models:
        relationships = []
        for rel in model.relationships:
            if rel.target not in names and rel.includable:
                message = f"target {rel.target} is not among the models read; it cannot be included"
                diagnostics.append(Diagnostic("warning", model.name, rel.key, message))
                rel = dataclasses.replace(rel, includable=False)
            relationships.append(rel)
        result.append(dataclasses.replace(model, relationships=tuple(relationships)))
    return tuple(result)


def _ddl_scripts(mappers: list[Mapper[Any]], diagnostics: list[Diagnostic]) -> bool:
    """Whether DDL hooks of the tables or their MetaData run several statements at once.

    asyncpg prepares every statement, and a prepared statement holds one.
    """
    found = False
    targets: dict[int, tuple[str | None, Table | MetaData]] = {}
    for mapper in mappers:
        table = mapper.local_table
        if isinstance(table, Table):
            targets.setdefault(id(table), (mapper.class_.__name__, table))
            targets.setdefault(id(table.metadata), (None, table.metadata))
    for name, target in targets.values():
        for event_name in ("before_create", "after_create"):
            for listener in getattr(target.dispatch, event_name):
                statement = getattr(listener, "statement", None)
                if isinstance(statement, str) and ";" in statement.strip().rstrip(";"):
                    where = "the models' MetaData has" if name is None else "its table has"
                    message = (
                        f"{where} an {event_name} DDL of several SQL statements, which asyncpg "
                        "can't prepare; the generated engine runs such scripts unprepared"
                    )
                    diagnostics.append(Diagnostic("warning", name, None, message))
                    found = True
    return found


def _model(mapper: Mapper[Any], diagnostics: list[Diagnostic]) -> Model:
    cls = mapper.class_
    name = cls.__name__
    table = mapper.local_table
    if not isinstance(table, Table):
        raise FeGenError(
            f"{name} is mapped to a {type(table).__name__}, not a Table; fe-gen serves "
            "table-mapped classes only: map it to a Table or leave it out of the models"
        )
    if not table.primary_key.columns:
        raise FeGenError(
            f"{name}: table {table.fullname} has no primary key; declare primary_key=True "
            "on its key column(s)"
        )
    return Model(
        name=name,
        module=cls.__module__,
        table=table.name,
        schema=table.schema,
        columns=cols.columns(mapper, table, diagnostics),
        primary_key=tuple(cols.key_of(mapper, column) for column in mapper.primary_key),
        relationships=rels.relationships(mapper, diagnostics),
        read_only_fields=cols.read_only_fields(mapper, table, diagnostics),
        unique_constraints=cols.unique_constraints(mapper, table),
        checks=cols.check_constraints(table),
        doc=_doc(cls),
        inheritance=_inheritance(mapper, diagnostics),
        raising_on_class=_raising_on_class(mapper),
    )


def _raising_on_class(mapper: Mapper[Any]) -> tuple[str, ...]:
    """Attributes that raise, other than AttributeError, when read on the class.

    SQLAlchemy's ORM bulk INSERT reads every ORM attribute on the class (to find bulk
    setters) and lets only AttributeError pass.
    """
    found = []
    for key, _descriptor in mapper.all_orm_descriptors.items():
        try:
            getattr(mapper.class_, key, None)
        except Exception:
            found.append(key)
    return tuple(found)


def _inheritance(mapper: Mapper[Any], diagnostics: list[Diagnostic]) -> Inheritance | None:
    """The model's place in its class hierarchy; None for a class alone.

    A class with concrete-table inheritance has a table of its own holding all its columns:
    it is served alone, and its parent's routes serve the parent's own table.
    """
    if mapper.concrete and mapper.inherits is not None:
        base = mapper.inherits.class_.__name__
        message = f"concrete-table inheritance from {base}: served as a table of its own"
        diagnostics.append(Diagnostic("warning", mapper.class_.__name__, None, message))
        return None
    root = mapper.base_mapper
    family = [sub for sub in mapper.self_and_descendants if sub is mapper or not sub.concrete]
    if mapper.inherits is None and len(family) == 1:
        return None
    discriminator = None
    if isinstance(root.polymorphic_on, SAColumn):
        discriminator = cols.key_of(root, root.polymorphic_on)
    elif root.polymorphic_on is not None:
        message = (
            "the discriminator is an expression, not a column; rows are told apart by joins only"
        )
        diagnostics.append(Diagnostic("warning", mapper.class_.__name__, None, message))
    identities = tuple(
        identity
        for identity in (_identity(sub.polymorphic_identity) for sub in family)
        if identity is not None
    )
    parent = mapper.inherits
    return Inheritance(
        root=root.class_.__name__,
        parent=parent.class_.__name__ if parent is not None else None,
        kind=None if parent is None else ("single" if mapper.single else "joined"),
        discriminator=discriminator,
        identity=_identity(mapper.polymorphic_identity),
        identities=identities,
        tables=tuple(
            _inherited_table(sub)
            for sub in reversed(list(mapper.iterate_to_root()))
            if not sub.single
        ),
    )


def _equal_columns(
    condition: ColumnElement[bool], child: Table
) -> list[tuple[SAColumn[Any], SAColumn[Any]]]:
    """(parent column, child column) for each `a = b` of a joined-inheritance condition."""
    pairs = []
    for element in visitors.iterate(condition):
        if isinstance(element, BinaryExpression) and element.operator is operators.eq:
            left, right = element.left, element.right
            if isinstance(left, SAColumn) and isinstance(right, SAColumn):
                pairs.append((right, left) if left.table is child else (left, right))
    return pairs


def _identity(value: Any) -> str | int | None:
    if value is None or isinstance(value, int | str):
        return value
    return str(getattr(value, "value", value))


def _inherited_table(mapper: Mapper[Any]) -> InheritedTable:
    table = mapper.local_table
    assert isinstance(table, Table)
    if mapper.inherits is None or mapper.inherit_condition is None:
        return InheritedTable(table.fullname)
    pairs = _equal_columns(mapper.inherit_condition, table)
    return InheritedTable(
        table.fullname,
        parent_columns=tuple(parent.name for parent, _ in pairs),
        columns=tuple(child.name for _, child in pairs),
    )


def _doc(cls: type[Any]) -> str | None:
    """The class docstring; not the signature that dataclasses write when there is none."""
    doc = vars(cls).get("__doc__")
    if not isinstance(doc, str):
        return None
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}("):
        return None
    return doc.strip() or None
