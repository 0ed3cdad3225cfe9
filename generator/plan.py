"""IR -> render plan: every decision about the generated code, made in Python.

The plan is plain, JSON-serialisable data (the one copier answer, `plan`). Templates only
loop over it and substitute; they hold no logic of their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from fe_gen.generator import naming
from fe_gen.generator.annotations import VALUE_TYPES, TypeNamer, writable
from fe_gen.generator.api_docs import DocsPlan, plan_docs
from fe_gen.generator.checks import postgresql_only
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.fields import FieldPlan, plan_fields
from fe_gen.generator.hierarchy import HierarchyPlan, plan_hierarchy, without_private_classes
from fe_gen.generator.imports import Imports
from fe_gen.generator.includes import (
    IncludePlan,
    LinkPlan,
    Tables,
    TableVar,
    plan_includes,
    plan_links,
    repr_str,
    table_vars,
)
from fe_gen.generator.ir import Diagnostic, Model, Schema, Source, TypeRef
from fe_gen.generator.migration import (
    ddl_notes,
    sqlite_ddl_reason,
    statements_literal,
    unavailable_literal,
)
from fe_gen.generator.module_imports import ModuleImports, fixed_imports
from fe_gen.generator.operations import OperationsPlan, plan_operations
from fe_gen.generator.presets import presets_literal, presets_table
from fe_gen.generator.samples import TestPlan, plan_tests, untestable
from fe_gen.generator.table_insert import TableInsertPlan, plan_table_insert


@dataclass(frozen=True)
class KeyPart:
    name: str
    """The key field."""
    param: str
    """Its name as a path and function parameter (the field's, unless a local uses it)."""
    annotation: str
    path_annotation: str
    """Its annotation as a path parameter: bounded to what the column stores."""


@dataclass(frozen=True)
class ModelPlan:
    name: str
    ref: str
    """How the query module names the model class (an alias where the name is taken)."""
    module: str
    """Module name of the model's schemas, queries and routes: `book`."""
    plural: str
    """`books`: names the list and bulk functions."""
    word: str
    """`book`, `book tag`: the model in docstrings and messages."""
    a_word: str
    """`a book`, `an item`."""
    words: str
    path: str
    tag: str
    table_var: str
    key: tuple[KeyPart, ...]
    key_path: str
    """`/{id}`, or `/{book_id}/{tag_id}` for a composite key."""
    key_params: str
    """`id: int`: the key as function parameters."""
    path_params: str
    """`id: Int32`: the key as the routes' path parameters."""
    key_args: str
    key_tuple: str
    key_value: str
    """The key in messages: `id`, or `(book_id, tag_id)`."""
    key_where: str
    """The key as WHERE criteria of the model's table."""
    key_literal: str
    """The key's field names as a tuple literal: `("id",)`."""
    key_fields: str
    """Each path parameter's field, as a dict literal: `{"id": "id"}`."""
    first_key_column: str
    nullable: tuple[str, ...]
    dump_arguments: str
    """Arguments of `model_dump` that turn a write schema into column values."""
    fields: tuple[FieldPlan, ...]
    create_lines: tuple[str, ...]
    update_lines: tuple[str, ...]
    includes: tuple[IncludePlan, ...]
    links: tuple[LinkPlan, ...]
    tables: tuple[TableVar, ...]
    """Module-level table variables of the query module."""
    source: str
    """What reads select from: the table variable, or a join for a joined subclass."""
    hierarchy: HierarchyPlan | None
    creatable: bool
    """Whether the API creates rows of this class (not of an abstract class)."""
    table_insert: TableInsertPlan | None
    """Creates that go to the table past the ORM, which can't insert this class."""
    imports: dict[str, str]
    """Import block per generated module kind: schemas, queries, routes."""
    tests: TestPlan
    row_creates: str = ""
    """The creates a row of this model supplies a reference for, as a dict literal of
    operation to {child field: this model's field}: `{"create_book": {"author_id": "id"}}`."""


@dataclass(frozen=True)
class ProjectPlan:
    name: str
    package: str
    models_module: str
    """Where the generated code imports the user's models from."""
    models_copied: bool
    """Whether the models file is copied into the project (else imported where it is)."""
    models_package: str | None
    """The top-level package of models imported where they are (`shop` of `shop.models`)."""
    models_path: str | None
    """Where that package lives, relative to the project (None when it is installed)."""
    env_file: str | None
    """The dotenv file the models read when imported, relative to the project."""
    models_setup: TypeRef | None
    """The function that maps the models imperatively (`pkg.orm:start_mappers`, `name` may
    be dotted), which the package's `__init__` imports and calls once."""
    models_setup_typed: bool
    metadata: tuple[str, ...]
    """The model classes, as main.py names them to find their tables' MetaData."""
    metadata_imports: str
    responses_imports: str
    factories_imports: str
    models: tuple[ModelPlan, ...]
    core_test_model: str | None
    """The model whose API tests what all models share (the first testable one)."""
    update_race: str | None
    """The model whose rows concurrent PATCHes race on (the first with an updatable field)."""
    unique_race: str | None
    """The model whose unique field concurrent creates race for."""
    needs_postgresql: bool
    postgresql_reason: str | None
    """Why the models need PostgreSQL: `Document.tags is ARRAY, which only PostgreSQL has`."""
    postgresql_constant: str | None
    """The assignment of that message to POSTGRESQL_ONLY in the generated config."""
    schemas: tuple[str, ...]
    """Database schemas the tables live in (attached databases on SQLite)."""
    schemas_literal: str
    extensions: tuple[str, ...]
    """PostgreSQL extensions the models' types and defaults need (citext, hstore ...)."""
    aware_timestamps: bool
    """Some naive DateTime column defaults to aware datetimes, which asyncpg refuses."""
    multi_statement_ddl: bool
    """Some table's DDL hook runs several statements at once, which asyncpg can't prepare."""
    binary: bool
    """Some column holds bytes, which JSON carries as base64."""
    value_types: tuple[str, ...]
    """The bounded types of client values that `core/types.py` defines (`Int32`, `Text` ...)."""
    numerics: tuple[tuple[int, int], ...]
    """(precision, scale) of the NUMERIC columns clients write (`Numeric10_2`)."""
    magnitudes: tuple[int, ...]
    """Exponents of the largest numbers filters compare with NUMERIC columns (`Below1e8`)."""
    types_imports: str
    """The import block of `core/types.py`, which defines the value types used."""
    model_requirements: tuple[str, ...]
    """Distributions the models import, which the project must install too."""
    sqlite_integer_types: tuple[str, ...]
    """SQLAlchemy types of autoincrement keys that SQLite must create as INTEGER."""
    sqlite_uuid: bool
    """Columns of the SQL UUID type, which SQLite must create as CHAR(32), as it does Uuid."""
    presets: str = field(default_factory=presets_literal)
    """The settings' defaults per ENVIRONMENT (a dict literal), the README's `presets_table`."""
    presets_table: str = field(default_factory=presets_table)
    migration_create: str = "{}"
    """The initial migration's statements per database (a dict literal), frozen."""
    migration_drop: str = "{}"
    migration_unavailable: str = "{}"
    """Why the initial migration has no statements for a database (a dict literal)."""
    diagnostics: tuple[str, ...] = field(default=())
    docs: DocsPlan | None = None
    """Where the API documentation moved when models take FastAPI's paths (`/docs`)."""
    operations: OperationsPlan = field(default_factory=OperationsPlan)
    """Where the health checks and metrics are (`/health`, `/metrics`, unless a model has
    that path)."""

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _ADAPTER.dump_python(self, mode="json")
        if result["docs"] is None:
            # The template reads a missing `docs` as FastAPI's paths, as in answers written
            # before they could move: every other project keeps the answers it had.
            del result["docs"]
        return result


def build_plan(
    schema: Schema,
    *,
    name: str,
    package: str = "app",
    models_path: str | None = None,
    env_file: str | None = None,
) -> ProjectPlan:
    """Decide everything about the project generated from `schema`.

    `models_path` is where models imported by import path live, relative to the project.
    """
    schema, blocked = _without_private_attributes(schema)
    schema, private = without_private_classes(schema)
    # Private classes stay in `schema`, where their subclasses look up their tables.
    routed = dataclasses.replace(
        schema, models=tuple(model for model in schema.models if model.name not in private)
    )
    models_module = f"{package}.models" if schema.source.kind == "file" else schema.source.module
    namer = TypeNamer(package=package, models_modules={schema.source.module: models_module})
    diagnostics = list(schema.diagnostics)
    factories = Imports(first_party=(package, "tests"))
    plans = tuple(
        _plan_model(model, schema, namer, factories, diagnostics, blocked)
        for model in routed.models
    )
    _check_unique_names(plans, schema)
    plans = tuple(
        dataclasses.replace(plan, row_creates=_row_creates(model, routed, plans))
        for model, plan in zip(routed.models, plans, strict=True)
    )
    main = Imports(first_party=(package,))
    main.reserve(_MAIN_NAMES)
    models = [main.bind(namer.module_of(model.module), model.name) for model in routed.models]
    responses = Imports(first_party=(package,))
    for plan in plans:
        responses.name(f"{package}.schemas.{plan.module}", f"{plan.name}Partial")
        if plan.includes:
            responses.name("pydantic", "MISSING")
        for include in plan.includes:
            target = next(other for other in plans if other.name == include.target)
            responses.name(f"{package}.schemas.{target.module}", f"{target.name}Partial")
    _factories_imports(factories, plans)
    column_reason = _postgresql_reason(schema)
    reason = column_reason or sqlite_ddl_reason(schema)
    diagnostics_text = [str(diagnostic) for diagnostic in diagnostics]
    diagnostics_text += ddl_notes(
        schema,
        needs_postgresql_already=column_reason is not None,
        migration=f"{package}/migrations/versions/0001_initial.py",
    )
    schemas = _schemas(schema)
    binary = any(c.type.family == "binary" for m in schema.models for c in m.columns)
    return ProjectPlan(
        name=name,
        package=package,
        models_module=models_module,
        models_copied=schema.source.kind == "file",
        models_package=None if schema.source.kind == "file" else models_module.split(".")[0],
        models_path=models_path,
        env_file=env_file,
        models_setup=_models_setup(schema.source, namer),
        models_setup_typed=schema.source.setup_typed,
        metadata=tuple(models),
        metadata_imports=main.render(),
        responses_imports=responses.render(),
        factories_imports=factories.render(),
        core_test_model=next((plan.name for plan in plans if plan.tests.testable), None),
        update_race=next((plan.name for plan in plans if plan.tests.update_field), None),
        unique_race=next((plan.name for plan in plans if plan.tests.unique_field), None),
        models=plans,
        needs_postgresql=reason is not None,
        postgresql_reason=reason,
        postgresql_constant=_postgresql_constant(reason) if reason else None,
        schemas=schemas,
        schemas_literal=_tuple(repr_str(name) for name in schemas),
        extensions=_extensions(schema),
        aware_timestamps=any(c.aware_default for m in schema.models for c in m.columns),
        multi_statement_ddl=schema.ddl_scripts,
        binary=binary,
        value_types=tuple(name for name in VALUE_TYPES if name in namer.used),
        numerics=tuple(sorted(namer.numerics)),
        magnitudes=tuple(sorted(namer.magnitudes)),
        types_imports=_types_imports(namer, binary),
        model_requirements=schema.requirements,
        sqlite_integer_types=() if reason else _sqlite_integer_types(schema),
        sqlite_uuid=reason is None
        and any(column.type.sql_uuid for model in schema.models for column in model.columns),
        migration_create=statements_literal(
            schema.ddl, extensions=_extensions(schema), schemas=schemas, drop=False
        ),
        migration_drop=statements_literal(
            schema.ddl, extensions=_extensions(schema), schemas=schemas, drop=True
        ),
        migration_unavailable=unavailable_literal(schema.ddl_failures),
        diagnostics=tuple(diagnostics_text),
        docs=plan_docs({plan.name: plan.path for plan in plans}),
        operations=plan_operations({plan.name: plan.path for plan in plans}),
    )


def _plan_model(
    model: Model,
    schema: Schema,
    namer: TypeNamer,
    factories: Imports,
    diagnostics: list[Diagnostic],
    blocked: Mapping[str, str],
) -> ModelPlan:
    """The plan of one model; `blocked` says, by model, why the API can't create its rows."""
    word = naming.snake_case(model.name)
    module = naming.module_name(model.name)
    plural = _plural(word)
    imports: ModuleImports = fixed_imports(model.name, module, plural, namer.package)
    queries = imports["queries"]
    ref = queries.bind(namer.module_of(model.module), model.name)
    table_var = naming.table_variable(model.table, model.schema, queries.taken())
    queries.reserve({table_var})
    tables = Tables(model, ref, table_var, namer, queries)
    variables = table_vars(model, schema, tables, table_var)
    fields = plan_fields(model, ref, variables, namer, imports)
    hierarchy = plan_hierarchy(model, schema, tables, variables)
    if hierarchy is not None and hierarchy.joined:
        queries.name(f"{namer.package}.core.joined", "JoinedRows")
        queries.name(f"{namer.package}.core.joined", "Level")
    includes = plan_includes(model, schema, tables, queries, namer.package, diagnostics)
    links = plan_links(model, schema, fields, tables, namer, imports["schemas"], diagnostics)
    key = tuple(
        KeyPart(
            name,
            naming.parameter(name),
            namer.annotation(model.column(name).type, queries, "read"),
            namer.key(model.column(name).type, imports["routes"]),
        )
        for name in model.primary_key
    )
    reason = blocked.get(model.name)
    if hierarchy is not None and not hierarchy.creatable:
        reason = "an abstract class: rows are made through its subclasses"
    names = [part.param for part in key]
    path = naming.url_path(model.table, model.schema)
    if model.inheritance is not None and model.inheritance.parent is not None:
        # A subclass shares its table (or its key) with its parent: its path is its class's.
        path = "/" + plural.replace("_", "-")
    create_lines = tuple(f.create_line for f in fields if f.create_line) + tuple(
        f"{link.field}: {link.annotation} = Field(default_factory=list)" for link in links
    )
    update_lines = tuple(f.update_line for f in fields if f.update_line) + tuple(
        f"{link.field}: {link.annotation} | MISSING = MISSING" for link in links
    )
    if any("MISSING" in line for line in create_lines + update_lines):
        imports["schemas"].name("pydantic", "MISSING")
    if links:
        queries.name("pydantic", "MISSING")
        imports["schemas"].name("pydantic", "Field")
    dump_arguments = _dump_arguments(fields, links)
    return ModelPlan(
        name=model.name,
        ref=ref,
        module=module,
        plural=plural,
        word=word.replace("_", " "),
        a_word=("an " if word[:1] in "aeiou" else "a ") + word.replace("_", " "),
        words=plural.replace("_", " "),
        path=path,
        tag=path.strip("/"),
        table_var=table_var,
        key=key,
        key_path="/" + "/".join("{" + name + "}" for name in names),
        key_params=", ".join(f"{part.param}: {part.annotation}" for part in key),
        path_params=", ".join(f"{part.param}: {part.path_annotation}" for part in key),
        key_args=", ".join(names),
        key_tuple=_tuple(names),
        key_value=names[0] if len(names) == 1 else "(" + ", ".join(names) + ")",
        key_where=", ".join(
            f"{naming.column_reference(table_var, model.column(part.name).name)} == {part.param}"
            for part in key
        ),
        key_literal=_tuple(repr_str(part.name) for part in key),
        key_fields="{" + ", ".join(f"{repr_str(p.param)}: {repr_str(p.name)}" for p in key) + "}",
        first_key_column=naming.column_reference(table_var, model.column(key[0].name).name),
        nullable=tuple(field.name for field in fields if field.nullable),
        dump_arguments=dump_arguments,
        fields=fields,
        create_lines=create_lines,
        update_lines=update_lines,
        includes=includes,
        links=links,
        tables=tuple(tables.variables),
        source=hierarchy.source if hierarchy else table_var,
        hierarchy=hierarchy,
        creatable=reason is None,
        table_insert=plan_table_insert(model, dump_arguments, bool(hierarchy and hierarchy.joined)),
        imports={kind: block.render() for kind, block in imports.items()},
        tests=untestable(namer.package, reason, model, fields, path)
        if reason
        else plan_tests(model, schema, fields, includes, links, namer, factories, path, blocked),
    )


# Names main.py defines or imports: a model named like one of them is imported under an alias.
_MAIN_NAMES = frozenset(
    {
        "METADATA",
        "app",
        "create_app",
        "ROUTERS",
        "Settings",
        "get_settings",
        "create_engine",
        "metadata_of",
        "prepare_database",
        "StartupErrorMiddleware",
        "validation_error_handler",
        "RequestValidationError",
        "Pager",
        "Cursors",
        "ServerTimingMiddleware",
        "integrity_error_handler",
        "FastAPI",
        "APIRoute",
        "_operation_id",
        "IntegrityError",
        "AsyncIterator",
        "asynccontextmanager",
        "async_sessionmaker",
        "AsyncEngine",
        "READS",
        "CacheMiddleware",
        "ResponseCache",
        "_cache",
        "migrate",
        "health",
        "pool_timeout_handler",
        "PoolTimeoutError",
        "statement_budget",
        "Metrics",
        "MetricsMiddleware",
        "metrics_router",
        "metrics",
        "logging",
    }
)


def _without_private_attributes(schema: Schema) -> tuple[Schema, dict[str, str]]:
    """Leave out `_private` columns (by Python's convention, not the API's), but keys, and
    `_private` relationships.

    Also returns, by model, why the API can't create rows: a required private column, or a
    required column of a type no client can write.
    """
    models = []
    diagnostics = list(schema.diagnostics)
    blocked: dict[str, str] = {}
    for model in schema.models:
        kept = []
        for column in model.columns:
            if column.key.startswith("_") and not (column.primary_key or column.foreign_keys):
                note = "a private column (leading underscore): left out of the API"
                diagnostics.append(Diagnostic("warning", model.name, column.key, note))
                if not column.nullable and not column.has_default and not column.read_only:
                    blocked[model.name] = f"its rows need the private column {column.key}"
            else:
                kept.append(column)
                if not writable(column.type):
                    note = f"{column.type.sql} is read-only: its values can't be read from JSON"
                    diagnostics.append(Diagnostic("warning", model.name, column.key, note))
                    if not column.nullable and not column.has_default and not column.read_only:
                        blocked[model.name] = (
                            f"its rows need {column.key} ({column.type.sql}), which a client "
                            "can't send"
                        )
        relationships = []
        for relationship in model.relationships:
            if relationship.key.startswith("_"):
                note = "a private relationship (leading underscore): left out of the API"
                diagnostics.append(Diagnostic("warning", model.name, relationship.key, note))
            else:
                relationships.append(relationship)
        models.append(
            dataclasses.replace(model, columns=tuple(kept), relationships=tuple(relationships))
        )
    schema = dataclasses.replace(schema, models=tuple(models), diagnostics=tuple(diagnostics))
    return schema, blocked


def _postgresql_reason(schema: Schema) -> str | None:
    for model in schema.models:
        for column in model.columns:
            if column.type.dialect == "postgresql":
                return f"{model.name}.{column.key} is {column.type.sql}, which only PostgreSQL has"
            if column.autoincrement and len(model.primary_key) > 1 and not column.read_only:
                return (
                    f"{model.name}.{column.key} autoincrements within a composite primary key, "
                    "which SQLite can't"
                )
        for check in model.checks:
            function = postgresql_only(check)
            if function is not None:
                name = f" {check.name}" if check.name else ""
                return f"{model.name}'s CHECK{name} uses {function}, which only PostgreSQL has"
    return None


_EXTENSION_TYPES = {"CITEXT": "citext", "HSTORE": "hstore", "LTREE": "ltree"}
_EXTENSION_FUNCTIONS = {"uuid_generate_v": "uuid-ossp", "gen_random_bytes": "pgcrypto"}


def _extensions(schema: Schema) -> tuple[str, ...]:
    found = set()
    for model in schema.models:
        for column in model.columns:
            sql = column.type.item.sql if column.type.item else column.type.sql
            if sql.upper() in _EXTENSION_TYPES:
                found.add(_EXTENSION_TYPES[sql.upper()])
            default = column.server_default.text if column.server_default else ""
            found.update(name for call, name in _EXTENSION_FUNCTIONS.items() if call in default)
    return tuple(sorted(found))


def _postgresql_constant(reason: str) -> str:
    return f'POSTGRESQL_ONLY = "{reason}: set DATABASE_URL"'


def _schemas(schema: Schema) -> tuple[str, ...]:
    names = {model.schema for model in schema.models if model.schema}
    for model in schema.models:
        for relationship in model.relationships:
            if relationship.secondary and "." in relationship.secondary.table:
                names.add(relationship.secondary.table.rpartition(".")[0])
    return tuple(sorted(names))


_SQLITE_INTEGER_TYPES = {
    "BIGINT": ("BIGINT", "BigInteger"),
    "SMALLINT": ("SMALLINT", "SmallInteger"),
}


def _sqlite_integer_types(schema: Schema) -> tuple[str, ...]:
    """SQLite numbers new rows only in an `INTEGER PRIMARY KEY`: a BIGINT or SMALLINT
    autoincrement key needs its type created as INTEGER there (64 bits, nothing lost)."""
    found = {
        name
        for model in schema.models
        for column in model.columns
        if column.autoincrement and len(model.primary_key) == 1
        for name in _SQLITE_INTEGER_TYPES.get(column.type.sql, ())
    }
    return tuple(sorted(found))


def _row_creates(parent: Model, schema: Schema, plans: tuple[ModelPlan, ...]) -> str:
    """The creates of other models whose foreign keys (or lists of ids) a row of `parent`
    can fill: OpenAPI links from its responses, which stateful tests follow."""
    fields = {column.name: column.key for column in parent.columns}
    creates = []
    for child, plan in zip(schema.models, plans, strict=True):
        if not plan.creatable:
            continue
        body = {
            column.key: fields[key.target_column]
            for column in child.columns
            for key in column.foreign_keys
            if key.target_table == parent.qualified_table
            and key.target_column in fields
            and not (column.primary_key and child.inheritance)  # a subclass row's own key
            and any(column.key == f.name and f.create_line for f in plan.fields)
        }
        pairs = [f"{repr_str(mine)}: {repr_str(theirs)}" for mine, theirs in body.items()]
        pairs += [
            f"{repr_str(link.field)}: [{repr_str(link.target_key)}]"
            for link in plan.links
            if link.target == parent.name
        ]
        if pairs:
            creates.append(f'"create_{plan.module}": {{{", ".join(pairs)}}}')
    return "{" + ", ".join(creates) + "}" if creates else ""


# What each value type of `core/types.py` needs from pydantic, beyond Annotated.
_VALUE_TYPE_NEEDS = {
    "Int16": ("Field",),
    "Int32": ("Field",),
    "Int64": ("Field",),
    "Float": ("Field",),
    "Float32": ("Field",),
    "TextKey": ("Field",),
    "JsonData": ("JsonValue",),
    "Duration": ("Field", "WithJsonSchema"),
    "LocalDatetime": ("NaiveDatetime", "WithJsonSchema"),
    "LocalTime": ("WithJsonSchema",),
    "InetAddress": ("AfterValidator",),
    "CidrNetwork": ("AfterValidator",),
    "MacAddress": ("Field",),
    "MacAddress8": ("Field",),
}


def _types_imports(namer: TypeNamer, binary: bool) -> str:
    imports = Imports(first_party=())
    imports.module("datetime", "dt")
    imports.name("typing", "Annotated")
    imports.name("typing", "Any")
    for name in ("AfterValidator", "AwareDatetime"):
        imports.name("pydantic", name)
    for name in ("ColumnElement", "DateTime", "Label", "TypeDecorator", "type_coerce"):
        imports.name("sqlalchemy", name)
    imports.name("sqlalchemy.engine", "Dialect")
    for name in namer.used:
        for needed in _VALUE_TYPE_NEEDS.get(name, ()):
            imports.name("pydantic", needed)
    if namer.numerics or namer.magnitudes:
        imports.name("decimal", "Decimal")
        imports.name("pydantic", "Field")
    if "JsonData" in namer.used:
        imports.module("math")
    if namer.used & {"InetAddress", "CidrNetwork"}:
        imports.module("ipaddress")
    if binary:
        imports.module("base64")
        imports.module("binascii")
        imports.name("pydantic", "BeforeValidator")
        imports.name("pydantic", "WithJsonSchema")
    return imports.render()


def _dump_arguments(fields: tuple[FieldPlan, ...], links: tuple[LinkPlan, ...]) -> str:
    arguments = []
    if links:
        names = ", ".join(
            repr_str(link.field) for link in sorted(links, key=lambda link: link.field)
        )
        arguments.append(f"exclude={{{names}}}")
    if any(" alias=" in (field.create_line or "") for field in fields):
        arguments.append("by_alias=True")
    return ", ".join(arguments)


def _factories_imports(imports: Imports, plans: tuple[ModelPlan, ...]) -> None:
    imports.reserve({"numbers"})
    imports.module("itertools")
    imports.name("typing", "Any")
    imports.name("httpx", "AsyncClient")
    samples = " ".join(value for plan in plans for _, value in plan.tests.payload)
    for module, alias in (("datetime", "dt"), ("uuid", None), ("base64", None)):
        if f"{alias or module}." in samples:
            imports.module(module, alias)
    if "to_jsonable_python(" in samples:
        imports.name("pydantic_core", "to_jsonable_python")


def _tuple(items: Any) -> str:
    values = list(items)
    return "(" + ", ".join(values) + ("," if len(values) == 1 else "") + ")"


def _plural(word: str) -> str:
    """`book` -> `books`, `category` -> `categories`; never the word itself."""
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def _models_setup(source: Source, namer: TypeNamer) -> TypeRef | None:
    if source.setup is None:
        return None
    return TypeRef(namer.module_of(source.setup.module), source.setup.name)


def _check_unique_names(plans: tuple[ModelPlan, ...], schema: Schema) -> None:
    seen: dict[str, str] = {}
    hint = "rename one of them"
    if len(schema.bases) > 1:
        # Unrelated Bases may well map tables of the same name, for different databases.
        source = schema.source
        specs = [
            f"{source.location if base.module == source.module else base.module}:{base.name}"
            for base in schema.bases
        ]
        hint += f", or generate from one Base at a time (--models {' or '.join(specs)})"
    for plan in plans:
        for value, kind in ((plan.path, "URL path"), (plan.module, "module name")):
            other = seen.get(f"{kind}:{value}")
            if other is not None:
                raise FeGenError(
                    f"models {other} and {plan.name} would both get the {kind} {value}: {hint}"
                )
            seen[f"{kind}:{value}"] = plan.name


_ADAPTER: TypeAdapter[ProjectPlan] = TypeAdapter(ProjectPlan)
