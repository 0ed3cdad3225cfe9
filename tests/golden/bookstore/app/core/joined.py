"""Writes for joined-table inheritance: one statement per table, the root class's first.

A row of a subclass spans its ancestors' tables and its own. SQLAlchemy's bulk statements
can't span tables, so each write here runs one INSERT, UPDATE or DELETE per table, with
the discriminator set on the root table as the ORM would.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Level:
    """One table of the chain: its key columns (aligned with the primary key) and the
    fields it stores."""

    table: Table
    key: tuple[Column[Any], ...]
    fields: Mapping[str, Column[Any]]

    def values(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {column.key: item[name] for name, column in self.fields.items() if name in item}

    def where(self, key: Sequence[Any]) -> Any:
        return and_(*(column == value for column, value in zip(self.key, key, strict=True)))


@dataclass(frozen=True)
class JoinedRows:
    levels: tuple[Level, ...]
    discriminator: dict[str, Any]
    """The root table's discriminator column and this class's value, by column key."""

    async def insert(
        self, session: AsyncSession, items: Sequence[Mapping[str, Any]]
    ) -> list[tuple[Any, ...]]:
        """INSERT every item into each table; return the primary keys, in item order."""
        root, *rest = self.levels
        result = await session.execute(
            insert(root.table).returning(*root.key, sort_by_parameter_order=True),
            [root.values(item) | self.discriminator for item in items],
        )
        keys = [tuple(row) for row in result]
        for level in rest:
            await session.execute(
                insert(level.table),
                [
                    level.values(item)
                    | {column.key: value for column, value in zip(level.key, key, strict=True)}
                    for item, key in zip(items, keys, strict=True)
                ],
            )
        return keys

    async def update(
        self, session: AsyncSession, key: Sequence[Any], changes: Mapping[str, Any]
    ) -> bool:
        """UPDATE the tables that hold a changed field; False when no row has this key."""
        own = self.levels[-1]
        # The class's own table has a row for this key only if the row is of this class.
        if (await session.execute(select(*own.key).where(own.where(key)))).first() is None:
            return False
        for level in self.levels:
            values = level.values(changes)
            if values:
                await session.execute(update(level.table).where(level.where(key)).values(values))
        return True

    async def delete(self, session: AsyncSession, key: Sequence[Any]) -> bool:
        """DELETE the row from each table, its own first; False when no row has this key."""
        own, *ancestors = reversed(self.levels)
        result = await session.execute(delete(own.table).where(own.where(key)).returning(*own.key))
        if result.first() is None:
            return False
        for level in ancestors:
            await session.execute(delete(level.table).where(level.where(key)))
        return True
