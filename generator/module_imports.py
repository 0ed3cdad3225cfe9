"""The fixed imports and own names of each generated per-model module.

They are registered before any of the user's classes is bound, so that a model or enum
named like something a module already uses (`Row`, `Query`, `Page`) gets an alias instead
of shadowing it.
"""

from __future__ import annotations

from fe_gen.generator.annotations import VALUE_TYPES
from fe_gen.generator.imports import Imports

ModuleImports = dict[str, Imports]

_SUFFIXES = (
    "Field",
    "Sort",
    "Include",
    "Read",
    "Partial",
    "Create",
    "Update",
    "ItemQuery",
    "Query",
)


def fixed_imports(model: str, module: str, plural: str, package: str) -> ModuleImports:
    imports = {kind: Imports(first_party=(package,)) for kind in ("schemas", "queries", "routes")}
    _schemas(imports["schemas"], model, package)
    _queries(imports["queries"], model, module, plural, package)
    _routes(imports["routes"], model, module, plural, package)
    return imports


def _schemas(imports: Imports, model: str, package: str) -> None:
    imports.reserve(f"{model}{suffix}" for suffix in _SUFFIXES)
    # The value types of core.types a schema may import: a user's enum is never named so.
    imports.reserve(VALUE_TYPES)
    imports.name("typing", "Literal")
    imports.name("pydantic", "BaseModel")
    for name in ("CommaList", "ListParams", "OnceCommaList", "ReadParams"):
        imports.name(f"{package}.core.filters", name)
    imports.name(f"{package}.core.schemas", "Payload")


def _queries(imports: Imports, model: str, module: str, plural: str, package: str) -> None:
    imports.reserve(
        {
            "RESOURCE",
            "RETURNING",
            f"list_{plural}",
            f"get_{module}",
            f"insert_{plural}",
            f"update_{module}",
            f"delete_{module}",
        }
    )
    imports.name("collections.abc", "Sequence")
    for name in ("delete", "insert", "select", "update"):
        imports.name("sqlalchemy", name)
    imports.name(f"{package}.core.db", "table_of")
    imports.name("sqlalchemy.ext.asyncio", "AsyncSession")
    imports.name(f"{package}.core", "listing")
    imports.name(f"{package}.core.reads", "ReadConnection")
    imports.name(f"{package}.core.relations", "Row")
    for suffix in ("Create", "ItemQuery", "Query", "Update"):
        imports.name(f"{package}.schemas.{module}", f"{model}{suffix}")


def _routes(imports: Imports, model: str, module: str, plural: str, package: str) -> None:
    imports.reserve(
        {
            "router",
            f"list_{plural}",
            f"get_{module}",
            f"create_{module}",
            f"create_{plural}",
            f"update_{module}",
            f"delete_{module}",
        }
    )
    imports.name("typing", "Annotated")
    for name in ("APIRouter", "Body", "Depends", "Response", "status"):
        imports.name("fastapi", name)
    for name in ("SessionDep", "SettingsDep"):
        imports.name(f"{package}.api.deps", name)
    imports.reserve({"ROW_LINKS", "LIST_QUERY", "ITEM_QUERY"})
    imports.name(f"{package}.core.query", "QueryParameters")
    imports.name(f"{package}.core.query", "Read")
    for name in ("CONFLICT", "NOT_FOUND", "UNREADABLE_BODY", "invalid", "not_found"):
        imports.name(f"{package}.core.errors", name)
    imports.name(f"{package}.core.responses", "json_response")
    imports.name(f"{package}.core.schemas", "Page")
    imports.name(f"{package}.core.schemas", "RowLinks")
    imports.name(f"{package}.queries", f"{module} as queries")
    for suffix in ("Create", "ItemQuery", "Query", "Read", "Update"):
        imports.name(f"{package}.schemas.{module}", f"{model}{suffix}")
    imports.name(f"{package}.schemas.responses", f"{model}Item")
