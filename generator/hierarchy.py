"""Class hierarchies in the generated API: single-table and joined-table inheritance.

Each mapped class gets a route, but a private one (`_PriceCustom`): its parent's route and
its public subclasses' serve its rows. A class's reads select from its tables (joined, for a
joined-table subclass) and keep to its rows through the discriminator; its writes go to
the tables it spans. Clients never set the discriminator: the class of the route does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from fe_gen.generator import naming
from fe_gen.generator.includes import Tables, all_equal, source_of, table_owner
from fe_gen.generator.ir import Diagnostic, Model, Schema


@dataclass(frozen=True)
class HierarchyPlan:
    source: str
    """What reads select from: the table, or the join of a joined-inheritance chain."""
    criteria: str | None
    """The WHERE criterion that keeps reads to this class's rows, if any is needed."""
    joined: str | None
    """For a joined-table subclass: the constructor of its per-table writes (JoinedRows)."""
    creatable: bool
    """False for a class without a discriminator value of its own (an abstract class)."""
    descendant_deletes: tuple[str, ...]
    """DELETEs of the rows in subclasses' own tables, deepest first, before this row's."""
    discriminator: str | None


def without_private_classes(schema: Schema) -> tuple[Schema, frozenset[str]]:
    """The names of a hierarchy's private classes (leading underscore), which get no route,
    and the schema without the relationships that point at them, with a note for each.

    Such a class stays in the schema: its subclasses' plans read its place in the chain.
    A class whose table others' foreign keys reference keeps its route (their tests make
    rows through it; a joined subclass's key to its root's table aside), and so does a
    hierarchy without a public class.
    """
    first_of_table: dict[str, str] = {}
    for model in schema.models:
        first_of_table.setdefault(model.qualified_table, model.name)
    referenced = {
        first_of_table.get(key.target_table)
        for model in schema.models
        for column in model.columns
        for key in column.foreign_keys
        if not (column.primary_key and _root_table(model) == key.target_table)
    }
    private = frozenset(
        model.name
        for model in schema.models
        if model.name.startswith("_")
        and model.inheritance is not None
        and model.name not in referenced
        and _public_relative(model, schema)
    )
    if not private:
        return schema, private
    diagnostics = list(schema.diagnostics)
    for name in (model.name for model in schema.models if model.name in private):
        parent = _public_parent(schema.model(name), schema)
        served = f"{parent} serves its rows" if parent else "its public subclasses serve theirs"
        note = f"a private class (leading underscore): no route of its own; {served}"
        diagnostics.append(Diagnostic("warning", name, None, note))
    models = []
    for model in schema.models:
        kept = []
        for relationship in model.relationships:
            if relationship.target in private and model.name not in private:
                target = relationship.target
                note = f"its target {target} is a private class, without a route: left out"
                diagnostics.append(Diagnostic("warning", model.name, relationship.key, note))
            else:
                kept.append(relationship)
        models.append(dataclasses.replace(model, relationships=tuple(kept)))
    schema = dataclasses.replace(schema, models=tuple(models), diagnostics=tuple(diagnostics))
    return schema, private


def _root_table(model: Model) -> str | None:
    """The table at the top of the model's hierarchy, which its key may reference (joined)."""
    return model.inheritance.tables[0].table if model.inheritance else None


def _public_relative(model: Model, schema: Schema) -> bool:
    assert model.inheritance is not None
    root = model.inheritance.root
    return any(
        other.inheritance is not None
        and other.inheritance.root == root
        and not other.name.startswith("_")
        for other in schema.models
    )


def _public_parent(model: Model, schema: Schema) -> str | None:
    """The nearest ancestor with a public name, which serves the class's rows too."""
    parent = model.inheritance.parent if model.inheritance else None
    while parent is not None and parent.startswith("_"):
        inheritance = schema.model(parent).inheritance
        parent = inheritance.parent if inheritance else None
    return parent


def plan_hierarchy(
    model: Model, schema: Schema, tables: Tables, variables: dict[str | None, str]
) -> HierarchyPlan | None:
    inheritance = model.inheritance
    if inheritance is None:
        return None
    discriminator = inheritance.discriminator
    criteria = None
    if inheritance.parent is not None and discriminator is not None and inheritance.identities:
        column = model.column(discriminator)
        reference = naming.column_reference(variables[column.table], column.name)
        values = ", ".join(_literal(value) for value in inheritance.identities)
        criteria = (
            f"{reference} == {values}"
            if len(inheritance.identities) == 1
            else f"{reference}.in_(({values},))"
        )
    return HierarchyPlan(
        source=source_of(model, schema, tables),
        criteria=criteria,
        # A class whose rows span tables (joined, or single-table under a joined class) is
        # written table by table.
        joined=_joined_rows(model, schema, tables) if len(inheritance.tables) > 1 else None,
        creatable=inheritance.identity is not None,
        descendant_deletes=_descendant_deletes(model, schema, tables),
        discriminator=discriminator,
    )


def _joined_rows(model: Model, schema: Schema, tables: Tables) -> str:
    """`JoinedRows(levels=(Level(...), ...), discriminator={...})` for a joined subclass."""
    assert model.inheritance is not None
    inheritance = model.inheritance
    levels = []
    for level in inheritance.tables:
        owner = table_owner(schema, level.table)
        var = tables.of_model(owner)
        key_columns = level.columns or tuple(owner.column(key).name for key in owner.primary_key)
        key = ", ".join(naming.column_reference(var, name) for name in key_columns)
        own_table = None if level.table == model.qualified_table else level.table
        fields = ", ".join(
            f'"{column.key}": {naming.column_reference(var, column.name)}'
            for column in model.columns
            if column.table == own_table
            and not column.read_only
            and column.key != inheritance.discriminator
            and column.name not in key_columns
        )
        key_tuple = f"({key},)" if len(key_columns) == 1 else f"({key})"
        levels.append(f"Level({var}, key={key_tuple}, fields={{{fields}}})")
    discriminator = ""
    if inheritance.discriminator is not None and inheritance.identity is not None:
        column = model.column(inheritance.discriminator)
        discriminator = f'"{column.name}": {_literal(inheritance.identity)}'
    return f"JoinedRows(levels=({', '.join(levels)},), discriminator={{{discriminator}}})"


def _descendant_deletes(model: Model, schema: Schema, tables: Tables) -> tuple[str, ...]:
    """DELETEs of this row's rows in joined subclasses' own tables, deepest first."""
    statements = []
    for other in schema.models:
        inheritance = other.inheritance
        if (
            inheritance is None
            or inheritance.kind != "joined"
            or not _descends(other, model, schema)
        ):
            continue
        chain = [level.table for level in inheritance.tables]
        var = tables.of_model(other)
        own = inheritance.tables[-1]
        pairs = [
            (naming.column_reference(var, name), naming.parameter(key))
            for name, key in zip(own.columns, model.primary_key, strict=True)
        ]
        condition = all_equal(pairs, tables)
        statements.append((len(chain), f"delete({var}).where({condition})"))
    return tuple(statement for _, statement in sorted(statements, reverse=True))


def _descends(model: Model, ancestor: Model, schema: Schema) -> bool:
    """Whether `model` is a subclass (at any depth) of `ancestor`."""
    parent = model.inheritance.parent if model.inheritance else None
    while parent is not None:
        if parent == ancestor.name:
            return True
        inheritance = schema.model(parent).inheritance
        parent = inheritance.parent if inheritance else None
    return False


def _literal(value: str | int) -> str:
    return str(value) if isinstance(value, int) else '"' + value.replace('"', '\\"') + '"'
