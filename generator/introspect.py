"""Mapped classes -> IR: the one module that reads SQLAlchemy's inspection API.

Everything comes from mappers and Tables, never from source text, so mixins, `type()`
classes, imperative mappings and every declarative flavour look the same. Mapped classes
are found through their registries; the output keeps a stable order (registries as found,
classes in table order) so that it does not change between runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from fe_gen.generator import introspect_columns as cols
from fe_gen.generator import introspect_relations as rels
from fe_gen.generator.column_types import type_ref
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import Diagnostic, Model, Schema, Source, TypeRef
from sqlalchemy import MetaData, Table, exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, configure_mappers, registry


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
        owned = _safe_getattr(value, "registry")
        return owned if isinstance(owned, registry) else None
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
    diagnostics: list[Diagnostic] = []
    models = tuple(_model(mapper, diagnostics) for mapper in mappers)
    return Schema(
        source=source,
        bases=tuple(dict.fromkeys(ref for ref in bases.values())),
        models=models,
        diagnostics=tuple(diagnostics),
    )


def _registries(targets: Iterable[object]) -> dict[registry, TypeRef]:
    """Each registry once, in the order found, with the Base (or name) that owns it."""
    refs: dict[registry, TypeRef | None] = {}
    for target in targets:
        value = target.value if isinstance(target, Found) else target
        reg = registry_of(value)
        if reg is None:
            continue
        ref = _owner_ref(value, reg) or (target.ref if isinstance(target, Found) else None)
        if refs.get(reg) is None:
            refs[reg] = ref
    return {reg: ref or _fallback_ref(reg) for reg, ref in refs.items()}


def _owner_ref(value: object, reg: registry) -> TypeRef | None:
    """The declarative Base whose namespace holds `registry`, if `value` leads to one."""
    if not isinstance(value, type):
        model = _safe_getattr(value, "Model")
        return _owner_ref(model, reg) if isinstance(model, type) else None
    for cls in value.__mro__:
        if vars(cls).get("registry") is reg:
            return type_ref(cls)
    return None


def _fallback_ref(reg: registry) -> TypeRef:
    for mapper in _ordered_mappers(reg):
        ref = _owner_ref(mapper.class_, reg)
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
    if mapper.inherits is not None:
        diagnostics.append(Diagnostic("warning", name, None, "inheritance is not supported yet"))
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
        doc=_doc(cls),
    )


def _doc(cls: type[Any]) -> str | None:
    doc = vars(cls).get("__doc__")
    return (doc.strip() or None) if isinstance(doc, str) else None
