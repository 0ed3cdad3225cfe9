"""How a condition reads the row: which column `row.col`, `row[0].col`, `row.Model.col`
name, or, when the query selects columns, which one the row's value (or `row.col`,
`row[0]` of a Row) is."""

from __future__ import annotations

import libcst as cst

from fe_gen.codemods.analysis.queries import Source
from fe_gen.codemods.rules.fe101.conditions import Col
from fe_gen.codemods.rules.fe101.sites import Site


def selected_column(row: str, source: Source, expr: cst.BaseExpression) -> Col | None:
    """A column the query selects, read from the row: the row itself under `.scalars()`
    (`select(User.email)`), or `row.email` / `row[0]` of a Row."""
    entities = source.entities
    if not entities or any(entity.column is None for entity in entities):
        return None
    index = None
    if isinstance(expr, cst.Name) and expr.value == row and source.shape == "entity":
        index = 0 if len(entities) == 1 else None
    elif source.shape == "tuple" and isinstance(expr, cst.Attribute) and _is_row(expr.value, row):
        names = [entity.name for entity in entities]
        index = names.index(expr.attr.value) if names.count(expr.attr.value) == 1 else None
    elif source.shape == "tuple" and isinstance(expr, cst.Subscript) and _is_row(expr.value, row):
        element = expr.slice[0].slice if len(expr.slice) == 1 else None
        if isinstance(element, cst.Index) and isinstance(element.value, cst.Integer):
            index = int(element.value.value)
    if index is None or index >= len(entities):
        return None
    entity = entities[index]
    assert entity.column is not None
    return Col(entity, entity.column)


def reads_columns(site: Site, source: Source) -> bool:
    """Whether a condition reads what may be a column: `row.attr` (`row[0].attr`,
    `row.Model.attr`), or, when the query selects columns, the value the row holds."""
    for condition in site.conditions:
        for node in walk(condition):
            if isinstance(node, cst.BaseExpression) and selected_column(site.row, source, node):
                return True
            if not isinstance(node, cst.Attribute):
                continue
            holder = node.value
            if isinstance(holder, cst.Subscript | cst.Attribute):
                holder = holder.value
            if _is_row(holder, site.row):
                return True
    return False


def _is_row(node: cst.BaseExpression, row: str) -> bool:
    return isinstance(node, cst.Name) and node.value == row


def entity_index(row: str, source: Source, holder: cst.BaseExpression) -> int | None:
    if isinstance(holder, cst.Name) and holder.value == row and source.shape == "entity":
        return 0
    if source.shape != "tuple":
        return None
    if (
        isinstance(holder, cst.Attribute)
        and isinstance(holder.value, cst.Name)
        and holder.value.value == row
    ):
        names = [entity.name for entity in source.entities]
        return names.index(holder.attr.value) if names.count(holder.attr.value) == 1 else None
    if (
        isinstance(holder, cst.Subscript)
        and isinstance(holder.value, cst.Name)
        and holder.value.value == row
    ):
        element = holder.slice[0].slice if len(holder.slice) == 1 else None
        if isinstance(element, cst.Index) and isinstance(element.value, cst.Integer):
            index = int(element.value.value)
            return index if index < len(source.entities) else None
    return None


def walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class _All(cst.CSTVisitor):
        def on_visit(self, child: cst.CSTNode) -> bool:
            found.append(child)
            return True

    node.visit(_All())
    return found
