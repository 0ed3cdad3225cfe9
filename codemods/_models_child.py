"""The child process of `fe-gen optimize --models`: import the models, describe their mappers.

Run as `python -m fe_gen.codemods._models_child REQUEST` by `generator.loading`, like
`fe-gen new`'s child: the user's code runs here, never in the optimizer. It writes JSON
lines on its stdout (`{"importing": ...}` before each module, so a hang can be named)
and finally `{"models": [...]}` (one entry per mapped class, the attributes as
`models_index.AttrDecl` fields) or `{"error": "one line"}`.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from pathlib import Path
from types import FunctionType
from typing import Any

from sqlalchemy import Column, exc
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import ColumnProperty, Mapper, RelationshipProperty, configure_mappers
from sqlalchemy.types import TypeDecorator

from fe_gen.generator._introspect_child import _import, _imported_since, _Reply
from fe_gen.generator.column_types import column_type
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.import_errors import describe
from fe_gen.generator.introspect import find_targets, registry_of
from fe_gen.generator.introspect_relations import configure_error_message

# generator.ir's type families -> the kinds the static reading gives (model_decls)
_KINDS = {
    "integer": "int", "float": "float", "decimal": "numeric", "string": "str",
    "boolean": "bool", "date": "date", "datetime": "datetime", "time": "time",
    "interval": "interval", "uuid": "uuid", "enum": "enum", "json": "json",
    "binary": "bytes", "array": "json",
}  # fmt: skip
_LAZY = {True: "select", False: "joined", None: "noload"}
# what a class body defines with `def`: Python code, not a column
_CODE = (
    property,
    functools.cached_property,
    hybrid_property,
    hybrid_method,
    FunctionType,
    staticmethod,
    classmethod,
)


def main(argv: list[str]) -> int:
    request: dict[str, Any] = json.loads(argv[1])
    reply = _Reply()
    try:
        before = set(sys.modules)
        modules = _import(request, reply)
        imported = _imported_since(before, request["roots"])
        reply.send(models=describe_mappers([*modules, *imported]))
    except FeGenError as error:
        reply.send(error=error.message)
    except BaseException as error:
        roots = [Path(root).resolve() for root in request["roots"]]
        module = reply.importing or request["module"]
        reply.send(error=describe(error, module=module, roots=roots))
    return 0


def describe_mappers(modules: list[Any]) -> list[dict[str, Any]]:
    """Every class mapped through the registries the modules reach, configured."""
    registries = {}
    for found in find_targets(modules):
        registry = registry_of(found.value)
        if registry is not None:
            registries[id(registry)] = registry
    mappers = [mapper for registry in registries.values() for mapper in registry.mappers]
    try:
        configure_mappers()
    except exc.SQLAlchemyError as error:
        raise FeGenError(configure_error_message(error, mappers)) from None
    return sorted((_model(mapper) for mapper in mappers), key=lambda m: (m["name"], m["module"]))


def _model(mapper: Mapper[Any]) -> dict[str, Any]:
    cls = mapper.class_
    attrs: dict[str, dict[str, Any]] = {}
    for prop in mapper.iterate_properties:
        if isinstance(prop, ColumnProperty):
            attrs[prop.key] = _column(prop)
        elif isinstance(prop, RelationshipProperty):
            attrs[prop.key] = _relationship(prop)
        else:
            attrs[prop.key] = {"kind": "other"}  # synonyms, composites
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if name not in attrs and not name.startswith("__"):
                attrs[name] = {"kind": "code" if isinstance(value, _CODE) else "other"}
    try:
        path = inspect.getsourcefile(cls) or ""
    except TypeError:
        path = ""
    return {"name": cls.__name__, "module": cls.__module__, "path": path, "attrs": attrs}


def _column(prop: ColumnProperty[Any]) -> dict[str, Any]:
    """A column of the class's table (the subclass's own first, where joined-table
    inheritance maps two under one key); an expression (`column_property(select(...))`)
    is something else: fe-gen does not read it as a column."""
    column = prop.columns[0] if prop.columns else None
    if not isinstance(column, Column):
        return {"kind": "other"}
    kind = "unknown"
    if not isinstance(column.type, TypeDecorator):  # a custom type compares as it likes
        kind = _KINDS.get(column_type(column.type).family, "unknown")
    return {
        "kind": "column",
        "nullable": bool(column.nullable),
        "sql_kind": kind,
        "unique": bool(column.primary_key or column.unique),
        "primary": bool(column.primary_key),
    }


def _relationship(prop: RelationshipProperty[Any]) -> dict[str, Any]:
    lazy: Any = prop.lazy
    return {
        "kind": "relationship",
        "target": prop.mapper.class_.__name__,
        "uselist": prop.uselist,
        "lazy": _LAZY[lazy] if lazy is None or isinstance(lazy, bool) else str(lazy),
    }


if __name__ == "__main__":
    status = main(sys.argv)
    sys.stderr.flush()
    os._exit(status)  # the reply is out: skip the models' atexit hooks and threads
