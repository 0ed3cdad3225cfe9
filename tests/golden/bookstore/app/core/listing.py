"""Reads for the API, as response bodies.

On PostgreSQL one statement builds the whole response (core/postgres.py). Elsewhere, and
for the shapes PostgreSQL can't write as Python does, the Core path runs one SELECT of just
the needed columns, then one query per include; rows become plain dicts straight from the
driver's tuples and go out without ORM objects or pydantic models: that materialisation,
not SQL, is what makes list endpoints slow.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core import filters, postgres
from app.core.errors import invalid
from app.core.pagination import Cursors, SortKey, keyset_condition, sort_keys
from app.core.reads import ReadConnection
from app.core.relations import Include, Row, chosen
from app.core.responses import json_body


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

    statements: dict[Hashable, "postgres.Statement | None"] = field(
        default_factory=dict, compare=False, repr=False
    )
    """The PostgreSQL statement compiled for each shape of read (see core/postgres.py)."""

    def shown(self, fields: Sequence[str] | None) -> set[str]:
        """What a read returns: the requested fields (or the default ones) and the key."""
        return set(fields or self.default_fields) | set(self.primary_key)

    def selected(self, fields: Sequence[str] | None, extra: Sequence[str] = ()) -> list[str]:
        """The fields to SELECT, in the model's order: those shown, and the `extra` ones."""
        wanted = self.shown(fields) | set(extra)
        return [name for name in self.columns if name in wanted]

    def select(self, fields: Sequence[str] | None, extra: Sequence[str] = ()) -> Select[Any]:
        """SELECT the requested fields, the primary key, and the `extra` fields."""
        columns = (self.columns[name] for name in self.selected(fields, extra))
        return select(*columns).select_from(self.table).where(*self.criteria)

    def hidden(self, fields: Sequence[str] | None, extra: Sequence[str]) -> set[str]:
        """The `extra` fields, selected for the server's own use, that the client didn't ask for."""
        return set(extra) - self.shown(fields)

    def include_keys(self, include: Sequence[str]) -> list[str]:
        """The fields the includes join on, which must be selected even when not asked for."""
        return [name for relation in include for name in self.includes[relation].local]

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


@dataclass(frozen=True)
class Selection:
    """What a read serves of each row: `fields=title,author.name&include=author`."""

    fields: tuple[str, ...] | None
    """The row's own fields; None: the default ones."""
    include: tuple[str, ...]
    related: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The fields chosen of each include that `fields=` names fields of."""
    most: int = 100
    """Related rows served at most per row and to-many include."""

    @classmethod
    def of(
        cls, fields: Sequence[str] | None, include: Sequence[str] | None, most: int
    ) -> "Selection":
        """Split `fields=` into the row's fields and its includes' (`author.name`)."""
        include = tuple(include or ())
        own: list[str] = []
        related: dict[str, list[str]] = {}
        for name in fields or ():
            relation, dot, field = name.partition(".")
            if not dot:
                own.append(name)
            elif relation in include:
                related.setdefault(relation, []).append(field)
            else:
                message = f"fields names {name}, but include does not name {relation}"
                raise invalid(("query", "fields"), message, list(fields or ()))
        chosen_related = tuple((relation, tuple(names)) for relation, names in related.items())
        return cls(tuple(own) or None, include, chosen_related, most)

    def columns(self, resource: "Resource", name: str) -> tuple[ColumnElement[Any], ...]:
        """What is served of the rows the include `name` adds."""
        return chosen(resource.includes[name], dict(self.related).get(name))


@dataclass(frozen=True)
class PageRequest:
    """What a list request asks for, checked: the same for either path."""

    selection: Selection
    terms: list[filters.Term]
    keys: list[SortKey]
    after: list[Any] | None
    """The sort values of the cursor's row."""
    limit: int
    offset: int
    count: bool
    cursors: Cursors

    def extra(self, resource: Resource) -> list[str]:
        """Fields selected for the server's use: sort keys, and the includes' join keys."""
        return [key.field for key in self.keys] + resource.include_keys(self.selection.include)

    def shape(self) -> tuple[Hashable, ...]:
        """What decides the statement, apart from the values bound in it."""
        filtered = tuple(
            (field, operator, value if operator == "isnull" else None)
            for field, operator, value in self.terms
        )
        after = None if self.after is None else tuple(value is None for value in self.after)
        sort = tuple(("-" if key.descending else "") + key.field for key in self.keys)
        return (self.selection, filtered, sort, after, self.count)


async def fetch_page(
    connection: ReadConnection,
    resource: Resource,
    query: filters.ListParams,
    pager: Pager,
    include: Sequence[str] | None = None,
) -> bytes:
    """One page of rows, filtered, sorted, paged by cursor or offset, with its includes: the
    response body."""
    if query.cursor is not None and query.offset is not None:
        raise invalid(("query", "offset"), "use either cursor or offset, not both", query.offset)
    keys = sort_keys(query.sort, resource.columns, resource.primary_key, resource.nullable)
    request = PageRequest(
        selection=Selection.of(query.fields, include, connection.max_related),
        terms=filters.terms(query),
        keys=keys,
        after=None if query.cursor is None else pager.cursors.decode(query.cursor, keys),
        limit=pager.limit(query.limit),
        offset=query.offset or 0,
        count=query.count,
        cursors=pager.cursors,
    )
    if connection.postgres_json:
        body = await postgres.page(connection, resource, request)
        if body is not None:
            return body
    return json_body(await _page(await connection.core(), resource, request))


async def read_one(
    connection: ReadConnection,
    resource: Resource,
    key: Sequence[Any],
    fields: Sequence[str] | None = None,
    include: Sequence[str] | None = None,
) -> bytes | None:
    """The response body of the row with primary key `key`; None if there is none."""
    selection = Selection.of(fields, include, connection.max_related)
    if connection.postgres_json:
        body = await postgres.one(connection, resource, key, selection)
        if body is not None:
            return body or None
    row = await fetch_one(await connection.core(), resource, key, selection)
    return None if row is None else json_body(row)


async def _page(
    connection: AsyncConnection, resource: Resource, request: PageRequest
) -> dict[str, Any]:
    """The Core path of `fetch_page`."""
    extra = request.extra(resource)
    where = list(filters.conditions(request.terms, resource.columns, resource.nullable))
    selection = request.selection
    statement = resource.select(selection.fields, extra).where(*where)
    statement = statement.order_by(*(key.order_by() for key in request.keys))
    if request.after is not None:
        statement = statement.where(keyset_condition(request.keys, request.after))
    if request.offset:
        statement = statement.offset(request.offset)
    # One row more than the page tells whether there is a next page, without a count.
    rows = [row._asdict() for row in await connection.execute(statement.limit(request.limit + 1))]

    next_cursor = None
    if len(rows) > request.limit:
        del rows[request.limit :]
        next_cursor = request.cursors.encode(request.keys, rows[-1])
    total = None
    if request.count:
        count = select(func.count()).select_from(resource.table).where(*resource.criteria, *where)
        total = await connection.scalar(count)
    await _complete(connection, resource, rows, selection, resource.hidden(selection.fields, extra))
    return {"items": rows, "next_cursor": next_cursor, "total": total}


async def fetch_one(
    connection: AsyncConnection,
    resource: Resource,
    key: Sequence[Any],
    selection: Selection | None = None,
) -> Row | None:
    """The row with primary key `key`, with its includes; None if there is none."""
    selection = selection or Selection(None, ())
    extra = resource.include_keys(selection.include)
    statement = resource.select(selection.fields, extra).where(resource.key_condition(key))
    found = (await connection.execute(statement)).first()
    if found is None:
        return None
    rows: list[Row] = [found._asdict()]
    await _complete(connection, resource, rows, selection, resource.hidden(selection.fields, extra))
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


async def _complete(
    connection: AsyncConnection,
    resource: Resource,
    rows: list[Row],
    selection: Selection,
    hidden: set[str],
) -> None:
    """Load the includes into `rows`, then drop the fields only the server needed."""
    for name in selection.include:
        columns = selection.columns(resource, name)
        await resource.includes[name].load(connection, rows, name, columns, selection.most)
    if hidden:
        for row in rows:
            for name in hidden:
                del row[name]
