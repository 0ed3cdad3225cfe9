"""Reads for the API: one SELECT of just the needed columns, then one query per include.

Rows become plain dicts straight from the driver's tuples and go out without ORM objects
or pydantic models: that materialisation, not SQL, is what makes list endpoints slow.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import filters
from app.core.errors import invalid
from app.core.pagination import Cursors, keyset_condition, sort_keys
from app.core.relations import Include, Row


@dataclass(frozen=True)
class Resource:
    """What the API serves of one model: its fields, key and includable relationships."""

    table: FromClause
    """What reads select from: the model's table, or the join of a joined-inheritance chain."""
    columns: Mapping[str, ColumnElement[Any]]
    """Every field a client may ask for, by name; selecting one yields that name."""
    default_fields: tuple[str, ...]
    """The fields served when a request names none: all but deferred ones."""
    primary_key: tuple[str, ...]
    nullable: frozenset[str] = frozenset()
    includes: Mapping[str, Include] = field(default_factory=dict)
    criteria: tuple[ColumnElement[bool], ...] = ()
    """What every read adds to its WHERE: the class's rows of a single-table hierarchy."""

    def select(self, fields: Sequence[str] | None, extra: Sequence[str] = ()) -> Select[Any]:
        """SELECT the requested fields, the primary key, and the `extra` fields."""
        wanted = set(fields or self.default_fields) | set(self.primary_key) | set(extra)
        columns = (column for name, column in self.columns.items() if name in wanted)
        return select(*columns).select_from(self.table).where(*self.criteria)

    def hidden(self, fields: Sequence[str] | None, extra: Sequence[str]) -> set[str]:
        """The `extra` fields, selected for the server's own use, that the client didn't ask for."""
        return set(extra) - set(fields or self.default_fields) - set(self.primary_key)

    def key_condition(self, key: Sequence[Any]) -> ColumnElement[bool]:
        columns = [self.columns[name] for name in self.primary_key]
        return and_(*(column == value for column, value in zip(columns, key, strict=True)))


@dataclass(frozen=True)
class Pager:
    """The page sizes and cursor signer, configured once for the app."""

    cursors: Cursors
    page_size: int
    max_page_size: int

    def limit(self, requested: int | None) -> int:
        if requested is None:
            return self.page_size
        if requested > self.max_page_size:
            raise invalid(
                ("query", "limit"), f"limit must be at most {self.max_page_size}", requested
            )
        return requested


@dataclass
class Page:
    items: list[Row]
    next_cursor: str | None
    total: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor, "total": self.total}


async def fetch_page(
    connection: AsyncConnection,
    resource: Resource,
    query: filters.ListParams,
    pager: Pager,
    include: Sequence[str] | None = None,
) -> Page:
    """One page of rows: filtered, sorted, paged by cursor or offset, with its includes."""
    if query.cursor is not None and query.offset is not None:
        raise invalid(("query", "offset"), "use either cursor or offset, not both", query.offset)
    limit = pager.limit(query.limit)
    keys = sort_keys(query.sort, resource.columns, resource.primary_key, resource.nullable)
    include = include or ()
    extra = [key.field for key in keys] + _include_keys(resource, include)
    where = list(filters.conditions(query, resource.columns, resource.nullable))

    statement = resource.select(query.fields, extra).where(*where)
    statement = statement.order_by(*(key.order_by() for key in keys))
    if query.cursor is not None:
        statement = statement.where(
            keyset_condition(keys, pager.cursors.decode(query.cursor, keys))
        )
    if query.offset:
        statement = statement.offset(query.offset)
    # One row more than the page tells whether there is a next page, without a count.
    rows = [row._asdict() for row in await connection.execute(statement.limit(limit + 1))]

    next_cursor = None
    if len(rows) > limit:
        del rows[limit:]
        next_cursor = pager.cursors.encode(keys, rows[-1])
    total = None
    if query.count:
        count = select(func.count()).select_from(resource.table).where(*resource.criteria, *where)
        total = await connection.scalar(count)
    await _complete(connection, resource, rows, include, resource.hidden(query.fields, extra))
    return Page(rows, next_cursor, total)


async def fetch_one(
    connection: AsyncConnection,
    resource: Resource,
    key: Sequence[Any],
    fields: Sequence[str] | None = None,
    include: Sequence[str] | None = None,
) -> Row | None:
    """The row with primary key `key`, with its includes; None if there is none."""
    include = include or ()
    extra = _include_keys(resource, include)
    statement = resource.select(fields, extra).where(resource.key_condition(key))
    found = (await connection.execute(statement)).first()
    if found is None:
        return None
    rows: list[Row] = [found._asdict()]
    await _complete(connection, resource, rows, include, resource.hidden(fields, extra))
    return rows[0]


async def fetch_keys(
    connection: AsyncConnection, resource: Resource, keys: Sequence[Sequence[Any]]
) -> list[Row]:
    """The rows with these primary keys, in the order of `keys`, in one statement."""
    columns = [resource.columns[name] for name in resource.primary_key]
    statement = resource.select(None).where(tuple_(*columns).in_([tuple(key) for key in keys]))
    found = {
        tuple(row[name] for name in resource.primary_key): row
        for row in (result._asdict() for result in await connection.execute(statement))
    }
    return [found[tuple(key)] for key in keys]


def _include_keys(resource: Resource, include: Sequence[str]) -> list[str]:
    """The fields the includes join on, which must be selected even when not asked for."""
    return [name for relation in include for name in resource.includes[relation].local]


async def _complete(
    connection: AsyncConnection,
    resource: Resource,
    rows: list[Row],
    include: Sequence[str],
    hidden: set[str],
) -> None:
    """Load the includes into `rows`, then drop the fields only the server needed."""
    for name in include:
        await resource.includes[name].load(connection, rows, name)
    if hidden:
        for row in rows:
            for name in hidden:
                del row[name]
