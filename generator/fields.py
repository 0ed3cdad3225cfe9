"""Each model's API fields: schema declarations, filters and the SQL column behind them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fe_gen.generator import naming
from fe_gen.generator.annotations import TypeNamer, operators, sortable, writable
from fe_gen.generator.imports import Imports
from fe_gen.generator.ir import Column, Model, ReadOnlyField


@dataclass(frozen=True)
class FieldPlan:
    name: str
    """The field's name in the API: the attribute key on the mapped class."""
    read_type: str
    """Its annotation in responses, without `| None`."""
    write_type: str
    """Its annotation in requests, without `| None`: bounded to what the column stores."""
    read_line: str | None
    """Declaration in the schema of what writes and includes return, `price: Decimal`; None
    for a deferred column, which they never return."""
    partial_line: str
    """Declaration in the schema of what reads return, where `fields=` may leave it out:
    `price: Decimal | MISSING = MISSING` (the key is always there)."""
    create_line: str | None
    """Declaration in the create schema; None when clients never set it."""
    update_line: str | None
    column: str
    """The SQL expression the query module selects, labelled with `name` when needed."""
    family: str
    nullable: bool
    sortable: bool
    deferred: bool
    filters: tuple[str, ...]
    """Declarations of the field's filter parameters in the list query schema."""
    returned: bool = False
    """Whether writes return it: the columns a read returns by default."""
    has_default: bool = False
    unique: bool = False
    primary_key: bool = False
    foreign_key: bool = False
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum_values: tuple[str, ...] = ()


def plan_fields(
    model: Model,
    ref: str,
    table_vars: Mapping[str | None, str],
    namer: TypeNamer,
    imports: dict[str, Imports],
) -> tuple[FieldPlan, ...]:
    """The model's fields; `table_vars` names the table of each column (None: its own)."""
    columns = tuple(
        _column_field(column, model, table_vars[column.table], namer, imports)
        for column in model.columns
    )
    extra = tuple(
        _read_only_field(field, ref, namer, imports)
        for field in model.read_only_fields
        if field.sql_expression and field.type is not None
    )
    return columns + extra


def _column_field(
    column: Column, model: Model, table_var: str, namer: TypeNamer, imports: dict[str, Imports]
) -> FieldPlan:
    schemas = imports["schemas"]
    read_type = namer.annotation(column.type, schemas, "read")
    write_type = (
        namer.key(column.type, schemas)
        if column.primary_key
        else namer.annotation(column.type, schemas, "write")
    )
    attribute = naming.schema_attribute(column.key)
    alias = column.key if attribute != column.key else None
    constraints = _constraints(column)
    nullable = column.nullable and not column.primary_key
    read = None if column.deferred else _declaration(attribute, read_type, nullable, alias)
    partial = _declaration(
        attribute, read_type, nullable, alias, default=None if column.primary_key else "MISSING"
    )
    # The route's class sets the discriminator of a class hierarchy, never the client.
    discriminator = model.inheritance.discriminator if model.inheritance else None
    client_writes = not column.read_only and not (column.primary_key and column.autoincrement)
    client_writes = client_writes and column.key != discriminator and writable(column.type)
    create = update = None
    if client_writes:
        optional = column.has_default or nullable
        create_constraints = constraints
        if column.default_factory is not None:
            factory = namer.callable(column.default_factory, schemas)
            given = (f"default_factory={factory}", constraints)
            create_constraints = ", ".join(part for part in given if part)
            optional = False
        create = _declaration(
            attribute,
            write_type,
            nullable,
            alias,
            default=("MISSING" if column.has_default else "None") if optional else None,
            constraints=create_constraints,
        )
        if not column.primary_key:
            update = _declaration(attribute, write_type, nullable, alias, "MISSING", constraints)
    if "MISSING" in partial + (create or "") + (update or ""):
        schemas.name("pydantic", "MISSING")
    if any("Field(" in line for line in (read or "", partial, create or "", update or "")):
        schemas.name("pydantic", "Field")
    reference = column_expression(column, table_var, imports["queries"], namer.package)
    # Private by name, or ciphertext in SQL: served, but never filtered or sorted on.
    searchable = not column.key.startswith("_") and not column.type.encrypted
    return FieldPlan(
        name=column.key,
        read_type=read_type,
        write_type=write_type,
        read_line=read,
        partial_line=partial,
        create_line=create,
        update_line=update,
        column=reference,
        family=column.type.family,
        nullable=nullable,
        sortable=sortable(column.type) and searchable,
        deferred=column.deferred,
        filters=_filters(column, namer, schemas) if searchable else (),
        returned=not column.deferred,
        has_default=column.has_default,
        unique=column.unique or _unique_alone(model, column.key),
        primary_key=column.primary_key,
        foreign_key=bool(column.foreign_keys),
        length=column.type.length,
        precision=column.type.precision,
        scale=column.type.scale,
        enum_values=column.type.enum.values if column.type.enum else (),
    )


def column_expression(column: Column, table_var: str, imports: Imports, package: str) -> str:
    """How a query module selects `column`: `books.c.title`, `utc(authors.c.joined_at)`,
    `bookings.c["from"].label("from_")`; the result key is always the field name."""
    reference = naming.column_reference(table_var, column.name)
    if column.type.family == "datetime" and column.type.timezone:
        imports.name(f"{package}.core.types", "utc")
        reference = f"utc({reference})"
    if column.key != column.name:
        reference += f'.label("{column.key}")'
    return reference


def _read_only_field(
    field: ReadOnlyField, ref: str, namer: TypeNamer, imports: dict[str, Imports]
) -> FieldPlan:
    assert field.type is not None
    imports["queries"].name(f"{namer.package}.core.db", "sql_attribute")
    read_type = namer.annotation(field.type, imports["schemas"], "read")
    attribute = naming.schema_attribute(field.key)
    alias = field.key if attribute != field.key else None
    # Reads select it by default; includes and most writes don't.
    line = _declaration(attribute, read_type, True, alias, default="MISSING")
    imports["schemas"].name("pydantic", "MISSING")
    if "Field(" in line:
        imports["schemas"].name("pydantic", "Field")
    return FieldPlan(
        name=field.key,
        read_type=read_type,
        write_type=read_type,
        read_line=line,
        partial_line=line,
        create_line=None,
        update_line=None,
        column=f'sql_attribute({ref}, "{field.key}")',
        family=field.type.family,
        nullable=True,
        sortable=False,
        deferred=False,
        filters=(),
    )


def _constraints(column: Column) -> str:
    if column.type.family == "string" and column.type.length:
        return f"max_length={column.type.length}"
    return ""


def _declaration(
    attribute: str,
    annotation: str,
    nullable: bool,
    alias: str | None,
    default: str | None = None,
    constraints: str = "",
) -> str:
    """`name: T | None = Field(None, max_length=3)` and the simpler forms of it."""
    if default == "MISSING":
        annotation += " | MISSING"
    if nullable:
        annotation += " | None"
    arguments = [
        argument for argument in (constraints, f'alias="{alias}"' if alias else "") if argument
    ]
    if not arguments:
        return f"{attribute}: {annotation}" + (f" = {default}" if default else "")
    inner = ", ".join(([f"default={default}"] if default else []) + arguments)
    return f"{attribute}: {annotation} = Field({inner})"


def _filters(column: Column, namer: TypeNamer, imports: Imports) -> tuple[str, ...]:
    """One query parameter per operator that suits the column's type."""
    annotation = namer.compared(column.type, imports)
    lines = []
    for operator in operators(column.type, column.nullable and not column.primary_key):
        name = f"{column.key}__{operator}"
        if operator == "eq":
            lines.append(_equality_filter(column.key, annotation, imports))
        elif operator == "in":
            lines.append(f"{name}: CommaList[{annotation}] | None = None")
        elif operator == "isnull":
            lines.append(f"{name}: bool | None = None")
        elif operator == "contains" and column.type.family == "array":
            item = annotation.removeprefix("list[").removesuffix("]")
            lines.append(f"{name}: CommaList[{item}] | None = None")
        elif operator in ("contains", "icontains", "startswith"):
            text = namer.value_type("Text", imports)
            lines.append(f"{name}: {text} | None = None")
        else:
            lines.append(f"{name}: {annotation} | None = None")
    return tuple(lines)


def _equality_filter(key: str, annotation: str, imports: Imports) -> str:
    """`?title=x` and `?title__eq=x` are one parameter; a column named like a paging
    parameter (`count`) or a BaseModel attribute is filtered as `<name>__eq` only."""
    if key in naming.PAGING_PARAMETERS:
        return f"{key}__eq: {annotation} | None = None"
    imports.name("pydantic", "AliasChoices")
    imports.name("pydantic", "Field")
    attribute = key if naming.schema_attribute(key) == key else f"{key}__eq"
    return (
        f"{attribute}: {annotation} | None = "
        f'Field(default=None, validation_alias=AliasChoices("{key}", "{key}__eq"))'
    )


def _unique_alone(model: Model, key: str) -> bool:
    return any(constraint.columns == (key,) for constraint in model.unique_constraints)
