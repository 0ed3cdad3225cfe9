"""Relationships in the generated API: `?include=` loaders and many-to-many id lists."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fe_gen.generator import naming
from fe_gen.generator.annotations import TypeNamer
from fe_gen.generator.fields import FieldPlan, column_expression
from fe_gen.generator.imports import Imports
from fe_gen.generator.ir import Diagnostic, Model, OrderBy, Relationship, Schema

_LOADERS = {"many_to_one": "ManyToOne", "one_to_many": "OneToMany", "many_to_many": "ManyToMany"}


@dataclass(frozen=True)
class TableVar:
    name: str
    expression: str


@dataclass(frozen=True)
class IncludePlan:
    name: str
    target: str
    target_module: str
    direction: str
    loader: str
    """The core loader class: ManyToOne, OneToMany or ManyToMany."""
    code: str
    """The loader's constructor call in the query module."""
    response: str
    """Declaration in the response schema: `author: AuthorRead | MISSING = MISSING` (None
    too when the row may have no such relative)."""
    local: tuple[str, ...]
    remote: tuple[str, ...]
    """Keys of the target's columns the join uses."""
    fields: tuple[str, ...] = ()
    """The target's fields the include serves, which `fields=author.name` may choose among."""


@dataclass(frozen=True)
class LinkPlan:
    """A many-to-many relationship set by a list of ids: `tag_ids` for `Book.tags`."""

    field: str
    relationship: str
    target: str
    target_key: str
    """The target's field the ids are values of."""
    annotation: str
    """`list[int]`: the target's key type."""
    table_var: str
    local_column: str
    """The association table's column that holds this model's key (SQL name)."""
    remote_column: str
    key_field: str
    """This model's field whose value the association table holds."""
    local_ref: str
    """The association table's column for this model, as the query module writes it."""
    rows_var: str
    """Name of the list of association rows a write builds."""
    delete_where: str
    """WHERE criteria of the association rows of the row being deleted."""


class Tables:
    """The table variables one query module defines, each named once."""

    def __init__(
        self, model: Model, ref: str, table_var: str, namer: TypeNamer, imports: Imports
    ) -> None:
        self.variables: list[TableVar] = [TableVar(table_var, f"table_of({ref})")]
        self._by_key: dict[str, str] = {f"table:{model.qualified_table}": table_var}
        self._own = table_var
        self._namer = namer
        self.imports = imports

    def of_model(self, target: Model) -> str:
        """The variable of `target`'s table, importing `target` the first time."""
        key = f"table:{target.qualified_table}"
        if key not in self._by_key:
            ref = self.imports.bind(self._namer.module_of(target.module), target.name)
            name = naming.table_variable(target.table, target.schema, self.imports.taken())
            self._add(key, name, f"table_of({ref})")
        return self._by_key[key]

    def association(self, qualified: str) -> str:
        """The variable of an association table, found in the model's metadata."""
        key = f"table:{qualified}"
        if key not in self._by_key:
            schema, _, table = qualified.rpartition(".")
            name = naming.table_variable(table, schema or None, self.imports.taken())
            self._add(key, name, f'{self._own}.metadata.tables["{qualified}"]')
        return self._by_key[key]

    def _add(self, key: str, name: str, expression: str) -> None:
        self.imports.reserve({name})
        self.variables.append(TableVar(name, expression))
        self._by_key[key] = name


def table_owner(schema: Schema, qualified: str) -> Model:
    """The model whose own table `qualified` is (the root of a single-table hierarchy)."""
    for model in schema.models:
        own_table = model.inheritance is None or model.inheritance.kind != "single"
        if model.qualified_table == qualified and own_table:
            return model
    raise KeyError(qualified)


def table_vars(model: Model, schema: Schema, tables: Tables, own: str) -> dict[str | None, str]:
    """The variable of each table the model's columns come from (None: its own table)."""
    found: dict[str | None, str] = {None: own}
    for column in model.columns:
        if column.table is not None and column.table not in found:
            found[column.table] = tables.of_model(table_owner(schema, column.table))
    return found


def source_of(model: Model, schema: Schema, tables: Tables) -> str:
    """What reads of `model` select from: its table, or the join of its inheritance chain."""
    if model.inheritance is None:
        return tables.of_model(model)
    chain = model.inheritance.tables
    source = tables.of_model(table_owner(schema, chain[0].table))
    for parent, child in itertools.pairwise(chain):
        parent_var = tables.of_model(table_owner(schema, parent.table))
        child_var = tables.of_model(table_owner(schema, child.table))
        pairs = [
            (naming.column_reference(child_var, mine), naming.column_reference(parent_var, theirs))
            for mine, theirs in zip(child.columns, child.parent_columns, strict=True)
        ]
        source += f".join({child_var}, {all_equal(pairs, tables)})"
    return source


def all_equal(pairs: Sequence[tuple[str, str]], tables: Tables) -> str:
    """`a == b`, or `and_(a == b, c == d)` for several pairs (importing `and_`)."""
    if len(pairs) == 1:
        return f"{pairs[0][0]} == {pairs[0][1]}"
    tables.imports.name("sqlalchemy", "and_")
    return "and_(" + ", ".join(f"{left} == {right}" for left, right in pairs) + ")"


def plan_includes(
    model: Model,
    schema: Schema,
    tables: Tables,
    imports: Imports,
    package: str,
    diagnostics: list[Diagnostic],
) -> tuple[IncludePlan, ...]:
    plans = []
    for relationship in model.relationships:
        if not relationship.includable:
            continue
        try:
            target = schema.model(relationship.target)
        except KeyError:
            diagnostics.append(
                Diagnostic(
                    "warning",
                    model.name,
                    relationship.key,
                    "its target is not generated; not includable",
                )
            )
            continue
        plans.append(_include(model, relationship, target, schema, tables, imports, package))
    return tuple(plans)


def _include(
    model: Model,
    relationship: Relationship,
    target: Model,
    schema: Schema,
    tables: Tables,
    imports: Imports,
    package: str,
) -> IncludePlan:
    target_var = tables.of_model(target)
    variables = table_vars(target, schema, tables, target_var)

    def reference(key: str) -> str:
        column = target.column(key)
        return naming.column_reference(variables[column.table], column.name)

    columns = [
        column_expression(column, variables[column.table], imports, package)
        for column in target.columns
        if not column.deferred
    ]
    order = relationship.order_by or tuple(OrderBy(key) for key in target.primary_key)
    order_by = [reference(item.column) + (".desc()" if item.descending else "") for item in order]
    arguments = [f"local={_tuple(repr_str(key) for key in relationship.local_columns)}"]
    if relationship.direction == "many_to_many":
        assert relationship.secondary is not None
        secondary = relationship.secondary
        association = tables.association(secondary.table)
        joins = [
            f"{naming.column_reference(association, sql_name)} == {reference(key)}"
            for sql_name, key in zip(
                secondary.remote_columns, relationship.remote_columns, strict=True
            )
        ]
        condition = joins[0] if len(joins) == 1 else "and_(" + ", ".join(joins) + ")"
        if len(joins) > 1:
            imports.name("sqlalchemy", "and_")
        arguments.append(
            "secondary="
            + _tuple(naming.column_reference(association, name) for name in secondary.local_columns)
        )
        arguments.append(
            f"source={association}.join({source_of(target, schema, tables)}, {condition})"
        )
    else:
        arguments.append(f"remote={_tuple(reference(key) for key in relationship.remote_columns)}")
        if target.inheritance is not None and target.inheritance.kind == "joined":
            arguments.append(f"source={source_of(target, schema, tables)}")
    arguments.append(f"columns={_tuple(columns)}")
    arguments.append(f"key={_tuple(repr_str(key) for key in target.primary_key)}")
    if relationship.direction != "many_to_one":
        arguments.append(f"order_by={_tuple(order_by)}")
    loader = _LOADERS[relationship.direction]
    imports.name(f"{package}.core.relations", loader)
    # Partial: `fields=author.name` serves some fields of an include.
    read = f"{target.name}Partial"
    if relationship.uselist:
        response = (
            f"{relationship.key}: list[{read}] | MISSING = MISSING\n"
            f"    {relationship.key}_more: bool | MISSING = MISSING"
        )
    elif _always_found(model, relationship):
        response = f"{relationship.key}: {read} | MISSING = MISSING"
    else:
        response = f"{relationship.key}: {read} | MISSING | None = MISSING"
    return IncludePlan(
        name=relationship.key,
        target=target.name,
        target_module=naming.snake_case(target.name),
        direction=relationship.direction,
        loader=loader,
        code=f"{loader}({', '.join(arguments)})",
        response=response,
        local=relationship.local_columns,
        remote=relationship.remote_columns,
        fields=tuple(column.key for column in target.columns if not column.deferred),
    )


def _always_found(model: Model, relationship: Relationship) -> bool:
    """Whether every row has the related row: a NOT NULL foreign key to it."""
    if relationship.direction != "many_to_one":
        return False
    columns = [model.column(key) for key in relationship.local_columns]
    return all(not column.nullable and column.foreign_keys for column in columns)


def plan_links(
    model: Model,
    schema: Schema,
    fields: tuple[FieldPlan, ...],
    tables: Tables,
    namer: TypeNamer,
    imports: Imports,
    diagnostics: list[Diagnostic],
) -> tuple[LinkPlan, ...]:
    """Many-to-many relationships a client sets with a list of the targets' ids."""
    taken = {field.name for field in fields}
    links = []
    for relationship in model.relationships:
        secondary = relationship.secondary
        if relationship.direction != "many_to_many" or relationship.viewonly or secondary is None:
            continue
        target = next((m for m in schema.models if m.name == relationship.target), None)
        name = f"{naming.singular(relationship.key)}_ids"
        reason = None
        if (
            target is None
            or len(secondary.local_columns) != 1
            or len(secondary.remote_columns) != 1
        ):
            reason = "only many-to-many relationships over single-column keys are writable"
        elif name in taken:
            reason = f"a field named {name} exists already"
        elif secondary.required_columns:
            required = ", ".join(secondary.required_columns)
            reason = f"its link table {secondary.table} needs {required}, which ids can't give"
        if reason:
            diagnostics.append(
                Diagnostic("warning", model.name, relationship.key, f"read-only: {reason}")
            )
            continue
        assert target is not None
        taken.add(name)
        target_key = target.column(relationship.remote_columns[0]).type
        key_type = namer.sized(namer.key(target_key, imports), target_key, imports)
        table_var = tables.association(secondary.table)
        local_ref = naming.column_reference(table_var, secondary.local_columns[0])
        key_field = relationship.local_columns[0]
        if model.primary_key == (key_field,):
            delete_where = f"{local_ref} == {naming.parameter(key_field)}"
        else:
            own = tables.of_model(model)
            key_where = ", ".join(
                f"{naming.column_reference(own, model.column(key).name)} == {naming.parameter(key)}"
                for key in model.primary_key
            )
            column = naming.column_reference(own, model.column(key_field).name)
            delete_where = f"{local_ref}.in_(select({column}).where({key_where}))"
        links.append(
            LinkPlan(
                field=name,
                relationship=relationship.key,
                target=target.name,
                target_key=relationship.remote_columns[0],
                annotation=f"list[{key_type}]",
                table_var=table_var,
                local_column=secondary.local_columns[0],
                remote_column=secondary.remote_columns[0],
                key_field=key_field,
                local_ref=local_ref,
                rows_var=naming.identifier(f"{naming.singular(relationship.key)}_links"),
                delete_where=delete_where,
            )
        )
    return tuple(links)


def repr_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tuple(items: Iterable[str]) -> str:
    values = list(items)
    return "(" + ", ".join(values) + ("," if len(values) == 1 else "") + ")"
