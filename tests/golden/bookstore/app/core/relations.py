"""Relationship loaders for `?include=`: one IN-query per relationship, whatever the page size.

Each loader collects the keys of the page's rows, selects the related rows whose keys are
among them in one statement (as selectinload does, without building ORM objects), and
nests them into the page's rows as plain dicts. Nothing is ever loaded lazily. A to-many
include serves at most `most` related rows per row, and says whether there were more in
`<include>_more`; PostgreSQL reads build the same in SQL (core/postgres.py).
"""

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, FromClause, Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

Row = dict[str, Any]


class Include(Protocol):
    @property
    def local(self) -> tuple[str, ...]:
        """Fields of the parent rows that hold the join key."""

    @property
    def columns(self) -> tuple[ColumnElement[Any], ...]:
        """What is served of each related row."""

    @property
    def key(self) -> tuple[str, ...]:
        """The related rows' primary key, served whatever `fields=` chooses."""

    async def load(
        self,
        connection: AsyncConnection,
        rows: list[Row],
        name: str,
        columns: Sequence[ColumnElement[Any]],
        most: int,
    ) -> None:
        """Set `row[name]` on every row to its related row(s), of `columns`."""


def chosen(include: Include, fields: Sequence[str] | None) -> tuple[ColumnElement[Any], ...]:
    """The include's columns that `fields` (`["name"]` of `fields=author.name`) chooses, and
    its key; all of them when it chooses none."""
    if not fields:
        return include.columns
    wanted = set(fields) | set(include.key)
    return tuple(column for column in include.columns if column.key in wanted)


def _key(row: Row, fields: Sequence[str]) -> Hashable:
    return row[fields[0]] if len(fields) == 1 else tuple(row[field] for field in fields)


def _keys(rows: list[Row], fields: Sequence[str]) -> list[Hashable]:
    keys = {_key(row, fields) for row in rows}
    return [key for key in keys if key is not None and not (isinstance(key, tuple) and None in key)]


def _in(columns: Sequence[ColumnElement[Any]], keys: list[Hashable]) -> ColumnElement[bool]:
    if len(columns) == 1:
        return columns[0].in_(keys)
    return tuple_(*columns).in_(keys)


def _key_labels(columns: Sequence[ColumnElement[Any]]) -> list[ColumnElement[Any]]:
    return [column.label(f"_key{index}") for index, column in enumerate(columns)]


async def _fetch_grouped(
    connection: AsyncConnection, statement: Select[Any], width: int
) -> dict[Hashable, list[Row]]:
    """Run `statement`, whose first `width` columns are the key, and group rows by key."""
    groups: dict[Hashable, list[Row]] = defaultdict(list)
    for result_row in await connection.execute(statement):
        key = result_row[0] if width == 1 else tuple(result_row[:width])
        groups[key].append(dict(zip(result_row._fields[width:], result_row[width:], strict=True)))
    return groups


def _at_most(
    statement: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    order_by: Sequence[ColumnElement[Any]],
    most: int,
) -> Select[Any]:
    """`statement`'s first `most` + 1 rows per key, in order: one more tells there are more."""
    rank = func.row_number().over(partition_by=list(keys), order_by=list(order_by)).label("_rank")
    ranked = statement.add_columns(rank).subquery()
    served = [column for column in ranked.c if column.key != "_rank"]
    return select(*served).where(ranked.c._rank <= most + 1).order_by(ranked.c._rank)


async def _load_many(
    connection: AsyncConnection,
    rows: list[Row],
    name: str,
    include: "OneToMany | ManyToMany",
    statement: Select[Any] | None,
    keys: Sequence[ColumnElement[Any]],
    most: int,
) -> None:
    """Run `statement` (key columns first; None when no row has a key) for at most `most` + 1
    related rows per parent, and nest at most `most` of them in each row, `<name>_more`
    saying if there were more."""
    found: dict[Hashable, list[Row]] = {}
    if statement is not None:
        ranked = _at_most(statement, keys, include.order_by, most)
        found = await _fetch_grouped(connection, ranked, len(keys))
    for row in rows:
        related = found.get(_key(row, include.local), [])
        row[name] = related[:most]
        row[f"{name}_more"] = len(related) > most


@dataclass(frozen=True)
class ManyToOne:
    """`book.author`: rows hold the foreign key; one query for the rows it points at."""

    local: tuple[str, ...]
    remote: tuple[ColumnElement[Any], ...]
    columns: tuple[ColumnElement[Any], ...]
    key: tuple[str, ...] = ()
    source: FromClause | None = None
    """The join to select from, when the related class spans tables (joined inheritance)."""

    async def load(
        self,
        connection: AsyncConnection,
        rows: list[Row],
        name: str,
        columns: Sequence[ColumnElement[Any]],
        most: int,
    ) -> None:
        keys = _keys(rows, self.local)
        found: dict[Hashable, list[Row]] = {}
        if keys:
            statement = select(*_key_labels(self.remote), *columns).where(_in(self.remote, keys))
            if self.source is not None:
                statement = statement.select_from(self.source)
            found = await _fetch_grouped(connection, statement, len(self.remote))
        for row in rows:
            related = found.get(_key(row, self.local))
            row[name] = related[0] if related else None


@dataclass(frozen=True)
class OneToMany:
    """`author.books`: the related rows hold a foreign key to the parent rows."""

    local: tuple[str, ...]
    remote: tuple[ColumnElement[Any], ...]
    columns: tuple[ColumnElement[Any], ...]
    key: tuple[str, ...] = ()
    order_by: tuple[ColumnElement[Any], ...] = ()
    source: FromClause | None = None
    """The join to select from, when the related class spans tables (joined inheritance)."""

    async def load(
        self,
        connection: AsyncConnection,
        rows: list[Row],
        name: str,
        columns: Sequence[ColumnElement[Any]],
        most: int,
    ) -> None:
        keys = _keys(rows, self.local)
        statement = select(*_key_labels(self.remote), *columns).where(_in(self.remote, keys))
        if self.source is not None:
            statement = statement.select_from(self.source)
        await _load_many(
            connection, rows, name, self, statement if keys else None, self.remote, most
        )


@dataclass(frozen=True)
class ManyToMany:
    """`book.tags`: an association table links parent keys to related rows."""

    local: tuple[str, ...]
    secondary: tuple[ColumnElement[Any], ...]
    """The association table's columns that hold the parent's key, aligned with `local`."""
    source: FromClause
    """The association table joined to the related table."""
    columns: tuple[ColumnElement[Any], ...]
    key: tuple[str, ...] = ()
    order_by: tuple[ColumnElement[Any], ...] = ()

    async def load(
        self,
        connection: AsyncConnection,
        rows: list[Row],
        name: str,
        columns: Sequence[ColumnElement[Any]],
        most: int,
    ) -> None:
        keys = _keys(rows, self.local)
        statement = (
            select(*_key_labels(self.secondary), *columns)
            .select_from(self.source)
            .where(_in(self.secondary, keys))
        )
        await _load_many(
            connection, rows, name, self, statement if keys else None, self.secondary, most
        )
