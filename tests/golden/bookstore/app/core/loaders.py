"""Batched loaders for endpoints of your own: the loads of one event-loop tick are one query.

`await loaders.<model>.load(key)` and `await loaders.<rows>_by_<field>.load(key)`
(api/loaders.py has one per model, and one per foreign key) collect their keys until the
running code awaits; then one statement reads them all: `= ANY($1)` on PostgreSQL, `IN (...)` in
chunks of `CHUNK` keys elsewhere. Results come back in the order of the keys: a row, or
None for a key no row has; a list of rows for a reference, empty when none refers to it.
A loader also remembers what it loaded, for the request it belongs to.

aiodataloader (the asyncio port of GraphQL's DataLoader, no dependencies) does the
batching; these classes only say how to read a batch.
"""

from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.listing import Resource
from app.core.relations import Row

CHUNK = 500
"""Keys per `IN (...)` where there is no `= ANY`: SQLite takes at most 32,766 parameters."""

V = TypeVar("V")


class _Loader(DataLoader[Hashable, V], Generic[V]):
    """Reads the rows of `resource` whose `field` is one of a batch of keys."""

    def __init__(self, engine: AsyncEngine, resource: Resource, field: str) -> None:
        postgresql = engine.dialect.name == "postgresql"
        super().__init__(max_batch_size=None if postgresql else CHUNK)
        self.engine = engine
        self.resource = resource
        self.field = field
        column = resource.columns[field]
        self.condition: Any = (
            column == any_(bindparam("keys", type_=ARRAY(column.type)))
            if postgresql
            else column.in_(bindparam("keys", expanding=True))
        )

    async def rows(self, keys: Sequence[Hashable]) -> list[Row]:
        statement = self.resource.select(None, extra=(self.field,)).where(self.condition)
        async with self.engine.connect() as connection:
            result = await connection.execute(statement, {"keys": list(keys)})
            return [row._asdict() for row in result]


class RowLoader(_Loader[Row | None]):
    """Rows by their key; None for a key no row has."""

    async def batch_load_fn(self, keys: list[Hashable]) -> list[Row | None]:
        found = {row[self.field]: row for row in await self.rows(keys)}
        return [found.get(key) for key in keys]


class ReferenceLoader(_Loader[list[Row]]):
    """The rows whose foreign key `field` holds each key, in key order."""

    async def batch_load_fn(self, keys: list[Hashable]) -> list[list[Row]]:
        found: dict[Hashable, list[Row]] = {key: [] for key in keys}
        for row in await self.rows(keys):
            found[row[self.field]].append(row)
        return [found[key] for key in keys]
