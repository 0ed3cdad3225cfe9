"""Relationships of one mapped class, and what configure_mappers() errors mean.

A part of introspect.py, kept apart to keep modules short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column as SAColumn
from sqlalchemy import Table, exc
from sqlalchemy.orm import Mapper, RelationshipDirection, RelationshipProperty
from sqlalchemy.orm import exc as orm_exc
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BooleanClauseList, UnaryExpression

from fe_gen.generator.ir import Diagnostic, Direction, OrderBy, Relationship, Secondary

_DIRECTIONS: dict[RelationshipDirection, Direction] = {
    RelationshipDirection.MANYTOONE: "many_to_one",
    RelationshipDirection.ONETOMANY: "one_to_many",
    RelationshipDirection.MANYTOMANY: "many_to_many",
}

_UNRESOLVED = re.compile(
    r"mapper Mapper\[(?P<model>\w+)\([^)]*\)\], expression '(?P<expression>[^']*)' "
    r"failed to locate a name \('(?P<name>[^']*)'\)"
)


def relationships(mapper: Mapper[Any], diagnostics: list[Diagnostic]) -> tuple[Relationship, ...]:
    """The class's relationships in declaration order."""
    return tuple(_relationship(mapper, rel, diagnostics) for rel in mapper.relationships)


def _relationship(
    mapper: Mapper[Any], rel: RelationshipProperty[Any], diagnostics: list[Diagnostic]
) -> Relationship:
    model = mapper.class_.__name__
    direction = _DIRECTIONS[rel.direction]
    includable = _plain_join(rel) and (rel.secondary is None or isinstance(rel.secondary, Table))
    if not includable:
        message = "join is not plain column equality; it cannot be included"
        diagnostics.append(Diagnostic("warning", model, rel.key, message))
    local_keys, remote_keys, link = _join_columns(mapper, rel)
    return Relationship(
        key=rel.key,
        target=rel.mapper.class_.__name__,
        direction=direction,
        local_columns=local_keys,
        remote_columns=remote_keys,
        uselist=bool(rel.uselist),
        secondary=link,
        back_populates=rel.back_populates or _backref_name(rel.backref),
        viewonly=bool(rel.viewonly),
        order_by=_order_by(model, rel, diagnostics),
        includable=includable,
    )


def _join_columns(
    mapper: Mapper[Any], rel: RelationshipProperty[Any]
) -> tuple[tuple[str, ...], tuple[str, ...], Secondary | None]:
    """Local and remote attribute keys, aligned; for many-to-many also the link table."""
    target = rel.mapper
    secondary = rel.secondary
    if rel.direction is not RelationshipDirection.MANYTOMANY or not isinstance(secondary, Table):
        pairs = list(rel.local_remote_pairs or ())
        local = tuple(_key(mapper, column) for column, _ in pairs)
        return local, tuple(_key(target, column) for _, column in pairs), None
    parent_pairs = list(rel.synchronize_pairs)
    target_pairs = list(rel.secondary_synchronize_pairs or ())
    link = Secondary(
        table=secondary.fullname,
        local_columns=tuple(column.name for _, column in parent_pairs),
        remote_columns=tuple(column.name for _, column in target_pairs),
        required_columns=_required_columns(
            secondary, {column for _, column in [*parent_pairs, *target_pairs]}
        ),
    )
    local = tuple(_key(mapper, column) for column, _ in parent_pairs)
    return local, tuple(_key(target, column) for column, _ in target_pairs), link


def _required_columns(table: Table, linked: set[Any]) -> tuple[str, ...]:
    """Columns of a link table besides the links that an INSERT must name."""
    return tuple(
        column.name
        for column in table.columns
        if column not in linked
        and not column.nullable
        and column.default is None
        and column.server_default is None
        and column is not table.autoincrement_column
        and column.identity is None
    )


def _key(mapper: Mapper[Any], column: Any) -> str:
    """The attribute key of a join column; its SQL name if the mapper does not map it."""
    try:
        return mapper.get_property_by_column(column).key
    except orm_exc.UnmappedColumnError:
        return str(column.key)


def _plain_join(rel: RelationshipProperty[Any]) -> bool:
    """True when the join conditions are ANDed `column = column` pairs and nothing else."""
    conditions = [rel.primaryjoin]
    if rel.secondaryjoin is not None:
        conditions.append(rel.secondaryjoin)
    return all(_equality_pairs(condition) for condition in conditions)


def _equality_pairs(clause: Any) -> bool:
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        return all(_equality_pairs(part) for part in clause.clauses)
    return (
        isinstance(clause, BinaryExpression)
        and clause.operator is operators.eq
        and isinstance(clause.left, SAColumn)
        and isinstance(clause.right, SAColumn)
    )


def _backref_name(backref: Any) -> str | None:
    if isinstance(backref, str):
        return backref
    if isinstance(backref, tuple) and backref and isinstance(backref[0], str):
        return backref[0]
    return None


def _order_by(
    model: str, rel: RelationshipProperty[Any], diagnostics: list[Diagnostic]
) -> tuple[OrderBy, ...]:
    """Plain column ordering of the target; anything else is left out with a warning."""
    if not rel.order_by:
        return ()
    table = rel.mapper.local_table
    result: list[OrderBy] = []
    for clause in rel.order_by:
        descending = False
        if isinstance(clause, UnaryExpression) and clause.modifier in (
            operators.desc_op,
            operators.asc_op,
        ):
            descending = clause.modifier is operators.desc_op
            clause = clause.element
        if not (isinstance(clause, SAColumn) and clause.table is table):
            message = "order_by is not plain columns of the target; left out"
            diagnostics.append(Diagnostic("warning", model, rel.key, message))
            return ()
        result.append(OrderBy(_key(rel.mapper, clause), descending))
    return tuple(result)


def configure_error_message(error: exc.SQLAlchemyError, mappers: Iterable[Mapper[Any]]) -> str:
    """One line for a configure_mappers() failure, naming the model and relationship."""
    text = " ".join(str(error).split())
    match = _UNRESOLVED.search(text)
    if match is None:
        return f"configuring the mapped classes failed: {_strip_background(text)}"
    model, name = match["model"], match["name"]
    attribute = _unresolved_relationship(mappers, model, match["expression"])
    where = f"{model}.{attribute}" if attribute else model
    return (
        f"{where}: relationship target {name!r} was never imported; import the module "
        f"that defines {name} with the models (or pass its package to --models)"
    )


def _unresolved_relationship(
    mappers: Iterable[Mapper[Any]], model: str, expression: str
) -> str | None:
    """The key of the model's relationship that names the expression SQLAlchemy missed."""
    for mapper in mappers:
        if mapper.class_.__name__ != model:
            continue
        # `_props`: the public accessors would re-run the configuration that just failed.
        for key, prop in getattr(mapper, "_props", {}).items():
            if isinstance(prop, RelationshipProperty) and prop.argument == expression:
                return str(key)
    return None


def _strip_background(text: str) -> str:
    return re.sub(r"\s*\(Background on this error at: [^)]*\)", "", text)
