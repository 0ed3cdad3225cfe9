"""IR -> render plan: every decision about the generated code, made in Python.

The plan is plain, JSON-serialisable data (it becomes the copier answer `plan`, so that
`copier update` re-renders the same project). Templates only loop over it and substitute;
they hold no logic of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from fe_gen.generator import naming
from fe_gen.generator.annotations import TypeNamer
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.fields import FieldPlan, plan_fields
from fe_gen.generator.imports import Imports
from fe_gen.generator.ir import Diagnostic, Model, Schema
from fe_gen.generator.includes import (
    IncludePlan,
    LinkPlan,
    Tables,
    TableVar,
    plan_includes,
    plan_links,
    repr_str,
)
from fe_gen.generator.samples import TestPlan, plan_tests


@dataclass(frozen=True)
class KeyPart:
    name: str
    annotation: str


@dataclass(frozen=True)
class ModelPlan:
    name: str
    module: str
    """Module name of the model's schemas, queries and routes: `book`."""
    plural: str
    """`books`: names the list and bulk functions."""
    word: str
    """`book`, `book tag`: the model in docstrings and messages."""
    words: str
    path: str
    tag: str
    table_var: str
    key: tuple[KeyPart, ...]
    key_path: str
    """`/{id}`, or `/{book_id}/{tag_id}` for a composite key."""
    key_params: str
    """`id: int`: the key as function parameters."""
    key_args: str
    key_tuple: str
    key_value: str
    """The key in messages: `id`, or `(book_id, tag_id)`."""
    key_where: str
    """The key as WHERE criteria of the model's table."""
    key_literal: str
    """The key's field names as a tuple literal: `("id",)`."""
    first_key_column: str
    """The first key column, as the query module writes it."""
    nullable: tuple[str, ...]
    dump_arguments: str
    """Arguments of `model_dump` that turn a write schema into column values."""
    fields: tuple[FieldPlan, ...]
    includes: tuple[IncludePlan, ...]
    links: tuple[LinkPlan, ...]
    tables: tuple[TableVar, ...]
    """Module-level table variables of the query module."""
    imports: dict[str, str]
    """Import block per generated module kind: schemas, queries, routes."""
    tests: TestPlan


@dataclass(frozen=True)
class ProjectPlan:
    name: str
    package: str
    models_module: str
    """Where the generated code imports the user's models from."""
    models_copied: bool
    """Whether the models file is copied into the project (else imported where it is)."""
    metadata: tuple[str, ...]
    """Expressions of the metadata holding the tables: `Base.metadata`."""
    metadata_imports: str
    responses_imports: str
    factories_imports: str
    models: tuple[ModelPlan, ...]
    core_test_model: str | None
    """The model whose API tests what all models share (the first testable one)."""
    needs_postgresql: bool
    diagnostics: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _ADAPTER.dump_python(self, mode="json")
        return result


def build_plan(schema: Schema, *, name: str, package: str = "app") -> ProjectPlan:
    """Decide everything about the project generated from `schema`."""
    models_module = f"{package}.models" if schema.source.kind == "file" else schema.source.module
    namer = TypeNamer(package=package, models_modules={schema.source.module: models_module})
    diagnostics = list(schema.diagnostics)
    plans = tuple(
        _plan_model(model, schema, namer, package, models_module, diagnostics)
        for model in schema.models
    )
    _check_unique_paths(plans)
    imports = Imports(first_party=package)
    for base in schema.bases:
        imports.name(namer.models_modules.get(base.module, base.module), base.name)
    responses = Imports(first_party=package)
    for plan in plans:
        responses.name(f"{package}.schemas.{plan.module}", f"{plan.name}Read")
    return ProjectPlan(
        name=name,
        package=package,
        models_module=models_module,
        models_copied=schema.source.kind == "file",
        metadata=tuple(f"{base.name}.metadata" for base in schema.bases),
        metadata_imports=imports.render(),
        responses_imports=responses.render(),
        factories_imports=_factories_imports(plans, package),
        core_test_model=next((plan.name for plan in plans if plan.tests.testable), None),
        models=plans,
        needs_postgresql=any(
            column.type.dialect == "postgresql" for model in schema.models for column in model.columns
        ),
        diagnostics=tuple(str(diagnostic) for diagnostic in diagnostics),
    )


def _plan_model(
    model: Model,
    schema: Schema,
    namer: TypeNamer,
    package: str,
    models_module: str,
    diagnostics: list[Diagnostic],
) -> ModelPlan:
    module = naming.snake_case(model.name)
    table_var = naming.table_variable(model.table, model.schema, {model.name})
    imports = {kind: Imports(first_party=package) for kind in ("schemas", "queries", "routes")}
    fields = plan_fields(model, table_var, namer, imports)
    tables = Tables(model, table_var)
    includes = plan_includes(model, schema, tables, imports["queries"], package, diagnostics)
    links = plan_links(model, schema, fields, tables, namer, imports["schemas"], diagnostics)
    key = tuple(
        KeyPart(name, namer.annotation(model.column(name).type, imports["routes"], "read"))
        for name in model.primary_key
    )
    _base_imports(imports, model, includes, links, package, models_module, module)
    names = [part.name for part in key]
    path = naming.url_path(model.table, model.schema)
    excluded = {link.field for link in links}
    aliased = any(" alias=" in (field.create_line or "") for field in fields)
    dump = [f"exclude={{{', '.join(repr_str(name) for name in sorted(excluded))}}}"] if excluded else []
    return ModelPlan(
        name=model.name,
        module=module,
        plural=_plural(module),
        word=module.replace("_", " "),
        words=_plural(module).replace("_", " "),
        path=path,
        tag=path.strip("/"),
        table_var=table_var,
        key=key,
        key_path="/" + "/".join("{" + name + "}" for name in names),
        key_params=", ".join(f"{part.name}: {part.annotation}" for part in key),
        key_args=", ".join(names),
        key_tuple="(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")",
        key_value=names[0] if len(names) == 1 else "(" + ", ".join(names) + ")",
        key_where=", ".join(
            f"{naming.column_reference(table_var, model.column(name).name)} == {name}" for name in names
        ),
        key_literal="(" + ", ".join(repr_str(name) for name in names) + ("," if len(names) == 1 else "") + ")",
        first_key_column=naming.column_reference(table_var, model.column(names[0]).name),
        nullable=tuple(field.name for field in fields if field.nullable),
        dump_arguments=", ".join(dump + (["by_alias=True"] if aliased else [])),
        fields=fields,
        includes=includes,
        links=links,
        tables=tuple(tables.variables),
        imports={kind: block.render() for kind, block in imports.items()},
        tests=plan_tests(model, schema, fields, includes, links, namer),
    )


def _base_imports(
    imports: dict[str, Imports],
    model: Model,
    includes: tuple[IncludePlan, ...],
    links: tuple[LinkPlan, ...],
    package: str,
    models_module: str,
    module: str,
) -> None:
    schemas, queries, routes = imports["schemas"], imports["queries"], imports["routes"]
    schemas.name("pydantic", "BaseModel")
    schemas.name(f"{package}.core.filters", "CommaList")
    schemas.name(f"{package}.core.filters", "ItemQuery")
    schemas.name(f"{package}.core.filters", "ListQuery")
    schemas.name("typing", "Literal")

    queries.name("collections.abc", "Sequence")
    queries.name("sqlalchemy", "delete")
    queries.name("sqlalchemy", "insert")
    queries.name("sqlalchemy", "select")
    queries.name("sqlalchemy", "update")
    queries.name("sqlalchemy.ext.asyncio", "AsyncConnection")
    queries.name("sqlalchemy.ext.asyncio", "AsyncSession")
    queries.name(f"{package}.core", "listing")
    queries.name(f"{package}.core.relations", "Row")
    queries.name(models_module, model.name)
    for include in includes:
        queries.name(f"{package}.core.relations", include.loader)
        if include.target != model.name:
            queries.name(models_module, include.target)
    for name in ("Create", "ItemQuery", "Query", "Update"):
        queries.name(f"{package}.schemas.{module}", f"{model.name}{name}")
    if links:
        queries.name("pydantic", "MISSING")

    routes.name("typing", "Annotated")
    routes.name("fastapi", "APIRouter")
    routes.name("fastapi", "Body")
    routes.name("fastapi", "Query")
    routes.name("fastapi", "Response")
    routes.name("fastapi", "status")
    for dependency in ("ConnectionDep", "PagerDep", "SessionDep", "SettingsDep"):
        routes.name(f"{package}.api.deps", dependency)
    for helper in ("CONFLICT", "NOT_FOUND", "invalid", "not_found"):
        routes.name(f"{package}.core.errors", helper)
    routes.name(f"{package}.core.responses", "json_response")
    routes.name(f"{package}.core.schemas", "Page")
    routes.name(f"{package}.queries", f"{module} as queries")
    for name in ("Create", "ItemQuery", "Query", "Read", "Update"):
        routes.name(f"{package}.schemas.{module}", f"{model.name}{name}")
    routes.name(f"{package}.schemas.responses", f"{model.name}Item")


def _factories_imports(plans: tuple[ModelPlan, ...], package: str) -> str:
    imports = Imports(first_party=(package, "tests"))
    imports.module("itertools")
    imports.name("typing", "Any")
    imports.name("httpx", "AsyncClient")
    samples = " ".join(value for plan in plans for _, value in plan.tests.payload)
    for module, alias in (("datetime", "dt"), ("uuid", None), ("base64", None)):
        if f"{alias or module}." in samples:
            imports.module(module, alias)
    for plan in plans:
        for module, name in plan.tests.enum_imports:
            imports.name(module, name)
    return imports.render()


def _plural(word: str) -> str:
    """`book` -> `books`, `category` -> `categories`; never the word itself."""
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def _check_unique_paths(plans: tuple[ModelPlan, ...]) -> None:
    seen: dict[str, str] = {}
    for plan in plans:
        for value, kind in ((plan.path, "URL path"), (plan.module, "module name")):
            other = seen.get(f"{kind}:{value}")
            if other is not None:
                raise FeGenError(f"models {other} and {plan.name} would both get the {kind} {value}")
            seen[f"{kind}:{value}"] = plan.name


_ADAPTER: TypeAdapter[ProjectPlan] = TypeAdapter(ProjectPlan)
