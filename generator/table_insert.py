"""Creates past the ORM, for a class with attributes that raise when read on the class.

The API creates rows with SQLAlchemy's ORM bulk INSERT (`session.execute(insert(Model), rows)`),
which first reads every attribute of the class to find bulk setters and lets only
AttributeError pass: a Python-only hybrid that walks a relationship (`for cost in
self.costs`) raises there, and so would every create. Such a class's rows go to its table
with a Core INSERT instead, keyed by column name and with the discriminator the ORM would set.
A joined-table subclass is written table by table already (`core/joined.py`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from fe_gen.generator.includes import repr_str
from fe_gen.generator.ir import Model


@dataclass(frozen=True)
class TableInsertPlan:
    reason: tuple[str, ...]
    """Comment lines saying why the rows skip the ORM."""
    row: str
    """One item's values by column name: an expression of `item`."""
    column_names: str | None
    """`{"attribute": "column", ...}` where the two differ (the dump is by attribute)."""


def plan_table_insert(model: Model, dump_arguments: str, joined: bool) -> TableInsertPlan | None:
    """How `insert_<plural>` writes the table directly; None when the ORM can do it."""
    if not model.raising_on_class or joined:
        return None
    renamed = {column.key: column.name for column in model.columns if column.key != column.name}
    row = f"item.model_dump({dump_arguments})"
    if renamed:
        row = f"{{COLUMN_NAMES.get(key, key): value for key, value in {row}.items()}}"
    discriminator = _discriminator(model)
    if discriminator:
        row = f"{row} | {discriminator}"
    column_names = ", ".join(f"{repr_str(key)}: {repr_str(name)}" for key, name in renamed.items())
    return TableInsertPlan(
        reason=_reason(model),
        row=row,
        column_names=f"{{{column_names}}}" if renamed else None,
    )


def _discriminator(model: Model) -> str | None:
    """`{"type": "manager"}`: the value the ORM sets for this class, by column name."""
    inheritance = model.inheritance
    if inheritance is None or inheritance.discriminator is None or inheritance.identity is None:
        return None
    name = model.column(inheritance.discriminator).name
    identity = inheritance.identity
    value = str(identity) if isinstance(identity, int) else repr_str(identity)
    return f"{{{repr_str(name)}: {value}}}"


def _reason(model: Model) -> tuple[str, ...]:
    first, *others = model.raising_on_class
    subject = f"{model.name}.{first}" + (f" (and {len(others)} more)" if others else "")
    verb = "raise" if others else "raises"
    text = (
        f"{subject} {verb} when read on the class, and SQLAlchemy's ORM bulk INSERT reads "
        "every attribute there: the rows go to the table."
    )
    return tuple(textwrap.wrap(text, width=84))
