"""Reads on PostgreSQL: one statement per request, whose result is the response's JSON.

PostgreSQL builds each item, its includes and the page with `json_agg` over a LATERAL row per
item, in the format the Core path writes (core/responses.py): numbers with a scale as
strings, datetimes in ISO 8601, bytes in base64 ... The statement of each shape of request
(fields, includes, filters and their operators, sort, cursor, count) is compiled once and
then run with its values on the asyncpg connection SQLAlchemy's pool lends, whose
prepared-statement cache keeps the plan: SQLAlchemy's execution layer costs a read about
two fifths of its throughput. A shape with a column PostgreSQL can't write as the Core path
does (see `json_value`) is served by the Core path.
"""

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    BindParameter,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Enum,
    Float,
    FromClause,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    Select,
    String,
    Text,
    Time,
    TypeDecorator,
    Uuid,
    bindparam,
    case,
    cast,
    extract,
    false,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import (
    CIDR,
    DOUBLE_PRECISION,
    INET,
    INTERVAL,
    MACADDR,
    TSVECTOR,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by as _aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.selectable import NamedFromClause
from sqlalchemy.types import TypeEngine

from app.core import filters
from app.core.pagination import keyset_condition
from app.core.reads import ReadConnection
from app.core.relations import Include, ManyToMany, ManyToOne, OneToMany
from app.core.types import UtcTimestamp

if TYPE_CHECKING:
    from app.core.listing import PageRequest, Resource, Selection

_CACHED_SHAPES = 256
"""Compiled statements kept per resource; the oldest goes first."""
_EMPTY: ColumnElement[Any] = literal_column("'[]'::json")
aggregate_order_by: Callable[..., ColumnElement[Any]] = _aggregate_order_by
"""Typed in SQLAlchemy 2.1 but not in 2.0, where mypy refuses a call of it in typed code."""


@dataclass(frozen=True)
class Statement:
    """A compiled statement: its SQL, and how to make its driver arguments from values."""

    sql: str
    names: tuple[str, ...]
    """The bind parameter at each position ($1, $2 ...)."""
    processors: tuple[Callable[[Any], Any] | None, ...]
    constants: Mapping[str, Any]
    """Values SQLAlchemy bound itself, such as literals."""
    results: tuple[Callable[[Any], Any] | None, ...]
    """Make the values of the result's columns after the first as the Core path reads them."""

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        arguments = []
        for name, process in zip(self.names, self.processors, strict=True):
            value = values[name] if name in values else self.constants[name]
            arguments.append(value if process is None or value is None else process(value))
        return arguments


async def page(
    connection: ReadConnection, resource: "Resource", request: "PageRequest"
) -> bytes | None:
    """The page's response body; None when the Core path must serve this shape."""
    shape = ("page", *request.shape())
    statement = _prepared(
        connection.dialect, resource, shape, lambda: _page(connection.dialect, resource, request)
    )
    if statement is None:
        return None
    values: dict[str, Any] = {
        f"f{index}": filters.operand(operator, value)
        for index, (_, operator, value) in enumerate(request.terms)
        if operator != "isnull"
    }
    values |= {
        f"k{index}": value for index, value in enumerate(request.after or ()) if value is not None
    }
    values |= {
        "limit": request.limit + 1,  # one row more tells whether there is a next page
        "offset": request.offset,
        "last": request.offset + request.limit,
        "most": request.selection.most,
    }
    row = await connection.fetchrow(statement.sql, statement.arguments(values))
    assert row is not None  # an aggregate always returns a row
    items, fetched, total, *last = row
    next_cursor = None
    if fetched > request.limit:
        read = [
            value if process is None else process(value)
            for value, process in zip(last, statement.results, strict=True)
        ]
        next_cursor = request.cursors.encode(
            request.keys, {key.field: value for key, value in zip(request.keys, read, strict=True)}
        )
    return b'{"items":%b,"next_cursor":%b,"total":%b}' % (
        items.encode(),
        orjson.dumps(next_cursor),
        orjson.dumps(total),
    )


async def one(
    connection: ReadConnection, resource: "Resource", key: Sequence[Any], selection: "Selection"
) -> bytes | None:
    """The row's response body, b"" when there is no such row; None when the Core path must
    serve this shape."""
    statement = _prepared(
        connection.dialect,
        resource,
        ("one", selection),
        lambda: _one(connection.dialect, resource, selection),
    )
    if statement is None:
        return None
    values: dict[str, Any] = {f"key{index}": value for index, value in enumerate(key)}
    values["most"] = selection.most
    row = await connection.fetchrow(statement.sql, statement.arguments(values))
    return b"" if row is None else row[0].encode()


def json_value(expression: ColumnElement[Any], dialect: Dialect) -> ColumnElement[Any] | None:
    """`expression` as PostgreSQL must write it in JSON to match the Core path; None if it
    can't (a user type that converts what it reads ...)."""
    type_ = _read_type(expression.type)
    if type_ is None:
        return None
    if isinstance(type_, Enum):
        return _enum(expression, type_, dialect)
    if isinstance(type_, (Boolean, Integer, String, Uuid, JSON)):
        return expression
    if isinstance(type_, Date) and not isinstance(type_, DateTime):
        # JSON writes a date as `YYYY-MM-DD` whatever the DateStyle; to_char costs more
        # (a few per cent of the benchmark's list statement).
        last: ColumnElement[Any] = literal_column("DATE '9999-12-31'")
        first: ColumnElement[Any] = literal_column("DATE '0001-01-01'")
        return _infinite(expression, "date", expression, last, first)
    if isinstance(type_, Float):
        # REAL widened as Python reads it (0.1 is 0.10000000149011612); NaN and infinities
        # are null, as orjson writes them.
        value = cast(expression, DOUBLE_PRECISION)
        not_finite = value.in_(
            [literal_column(f"'{name}'::float8") for name in ("NaN", "Infinity", "-Infinity")]
        )
        return None if type_.asdecimal else case((not_finite, None), else_=value)
    if isinstance(type_, Numeric):
        # PostgreSQL's text of a NUMERIC keeps its scale, as Decimal does: 10.50.
        return cast(expression, Text) if type_.asdecimal else cast(expression, DOUBLE_PRECISION)
    if isinstance(type_, DateTime):
        return _timestamp(expression, aware=type_.timezone)
    if isinstance(type_, Time) and not type_.timezone:
        return _timestamp(literal_column("DATE '2000-01-01'") + expression, aware=False, date=False)
    if isinstance(type_, (Interval, INTERVAL)):
        return _duration(expression)
    if isinstance(type_, LargeBinary):
        # encode() breaks base64 lines at 76 characters; JSON's base64 has none.
        return func.translate(func.encode(expression, "base64"), "\n", "")
    if isinstance(type_, INET):
        return func.abbrev(expression)  # 10.0.0.1 for a host, 10.0.0.1/24 with a netmask
    if isinstance(type_, (CIDR, MACADDR, TSVECTOR)):
        return cast(expression, Text)
    if isinstance(type_, ARRAY) and _plain(type_.item_type):
        return expression
    return None


def _read_type(type_: TypeEngine[Any]) -> TypeEngine[Any] | None:
    """The type whose values the Core path reads; None for a user TypeDecorator that
    converts them, which only Python can do."""
    if isinstance(type_, UtcTimestamp):
        return type_.impl_instance
    if isinstance(type_, Interval):  # a TypeDecorator only where intervals aren't native
        return type_
    if isinstance(type_, TypeDecorator):
        decorator = type(type_)
        converts = decorator.process_result_value is not TypeDecorator.process_result_value
        if converts or decorator.result_processor is not TypeDecorator.result_processor:
            return None
        return _read_type(type_.impl_instance)
    return type_


def _plain(type_: TypeEngine[Any]) -> bool:
    """Items an array holds that JSON writes as Python does."""
    return isinstance(type_, (Boolean, Integer, String, Uuid)) and not isinstance(type_, Enum)


def _enum(
    expression: ColumnElement[Any], type_: Enum, dialect: Dialect
) -> ColumnElement[Any] | None:
    """An enum's value (the Core path writes `Format.paperback.value`), from its stored name."""
    if type_.enum_class is None:
        return cast(expression, Text)
    member_of = type_.result_processor(dialect, None)  # type: ignore[no-untyped-call]
    assert member_of is not None
    values = {name: member_of(name).value for name in type_.enums}
    if all(name == value for name, value in values.items()):
        return cast(expression, Text)
    kinds = {type(value) for value in values.values()}
    if kinds not in ({str}, {int}):
        return None
    return case(
        {
            name: literal_column(orjson.dumps(value).decode() if kinds == {int} else _quoted(value))
            for name, value in values.items()
        },
        value=cast(expression, Text),
    )


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _timestamp(
    expression: ColumnElement[Any], *, aware: bool, date: bool = True
) -> ColumnElement[Any]:
    """`2024-01-01T10:00:00.500000+00:00`, as Python writes datetimes: microseconds only when
    there are some, the offset of UTC (the connection's time zone, see core/db.py)."""
    pattern = 'YYYY-MM-DD"T"HH24:MI:SS' if date else "HH24:MI:SS"
    fraction = case(
        (func.to_char(expression, "US") == "000000", ""), else_=func.to_char(expression, ".US")
    )
    text = func.to_char(expression, pattern).concat(fraction)
    if not date:
        return text
    offset = "+00:00" if aware else ""
    last, first = f"9999-12-31T23:59:59.999999{offset}", f"0001-01-01T00:00:00{offset}"
    return _infinite(
        expression, "timestamptz" if aware else "timestamp", text.concat(offset), last, first
    )


def _infinite(
    expression: ColumnElement[Any],
    sql_type: str,
    finite: ColumnElement[Any],
    last: str | ColumnElement[Any],
    first: str | ColumnElement[Any],
) -> ColumnElement[Any]:
    """asyncpg reads PostgreSQL's infinities as Python's largest and smallest value (and
    writes those as infinities): so does this."""
    return case(
        (expression == literal_column(f"'infinity'::{sql_type}"), last),
        (expression == literal_column(f"'-infinity'::{sql_type}"), first),
        else_=finite,
    )


def _duration(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    """`P1Y35DT5H3.25S`, `-PT0.000001S`: an interval in ISO 8601, as pydantic writes a
    timedelta (years of 365 days, no months; the sign in front)."""
    seconds = extract("epoch", expression)  # exact, a NUMERIC, since PostgreSQL 14
    size = func.abs(seconds)
    days = func.div(size, 86400)
    rest = size - days * 86400

    def part(value: ColumnElement[Any], unit: str) -> ColumnElement[Any]:
        return case((value > 0, func.concat(value, unit)))

    time = func.concat(
        part(func.div(rest, 3600), "H"),
        part(func.div(func.mod(rest, 3600), 60), "M"),
        part(func.trim_scale(func.mod(rest, 60)), "S"),
    )
    # concat() skips NULLs, so a NULL interval would come out as "P": keep it NULL.
    return case(
        (expression.is_(None), None),
        else_=func.concat(
            case((seconds < 0, "-")),
            "P",
            part(func.div(days, 365), "Y"),
            part(func.mod(days, 365), "D"),
            case((rest > 0, func.concat("T", time)), (size == 0, "T0S")),
        ),
    )


def _item(
    dialect: Dialect,
    resource: "Resource",
    parent: Mapping[str, ColumnElement[Any]],
    fields: Sequence[str],
    selection: "Selection",
    outer: FromClause,
) -> NamedFromClause | None:
    """A LATERAL row of one item's JSON values, named as its fields and includes."""
    values = []
    for name in fields:
        value = json_value(parent[name], dialect)
        if value is None:
            return None
        values.append(value.label(name))
    statement = select()
    for name in selection.include:
        related = _included(
            dialect, resource.includes[name], selection.columns(resource, name), parent, outer
        )
        if related is None:
            return None
        if isinstance(related, FromClause):  # to-many: its first rows, and whether there are more
            statement = statement.select_from(related)
            values += [related.c.served.label(name), related.c.more.label(f"{name}_more")]
        else:
            values.append(related.label(name))
    return statement.add_columns(*values).correlate(outer).lateral("item")


def _included(
    dialect: Dialect,
    include: Include,
    columns: Sequence[ColumnElement[Any]],
    parent: Mapping[str, ColumnElement[Any]],
    outer: FromClause,
) -> ColumnElement[Any] | FromClause | None:
    """The JSON of an include of the row `parent`: an object; or a row of `served`, an array
    of at most `most` objects, and `more`, whether there are more."""
    values = []
    for column in columns:
        value = json_value(column, dialect)
        if value is None:
            return None
        values.append(value.label(column.key))
    statement = select(*values).correlate(outer)
    if isinstance(include, ManyToMany):
        statement = statement.select_from(include.source).order_by(*include.order_by)
        statement = statement.where(
            *(
                column == parent[name]
                for name, column in zip(include.local, include.secondary, strict=True)
            )
        )
    else:
        assert isinstance(include, (ManyToOne, OneToMany))
        if include.source is not None:
            statement = statement.select_from(include.source)
        statement = statement.where(
            *(
                column == parent[name]
                for name, column in zip(include.local, include.remote, strict=True)
            )
        )
    if isinstance(include, ManyToOne):
        row = statement.limit(1).subquery("related")
        return select(func.to_json(row.table_valued())).select_from(row).scalar_subquery()
    if isinstance(include, OneToMany):
        statement = statement.order_by(*include.order_by)
    most = _param("most", Integer())
    # One scan answers both: a row more than served tells whether there are more (a second
    # probe, EXISTS ... OFFSET, cost the benchmark's list a fifth of its statement).
    # array_agg keeps the order of a sorted subquery's rows.
    rows = statement.limit(most + 1).subquery("related")
    found = select(func.array_agg(rows.table_valued()).label("rows")).select_from(rows).subquery()
    served = func.coalesce(func.to_json(found.c.rows[1:most]), _EMPTY)
    more = func.coalesce(func.cardinality(found.c.rows) > most, false())
    return (
        select(served.label("served"), more.label("more"))
        .select_from(found)
        .correlate(outer)
        .lateral()
    )


def _page(dialect: Dialect, resource: "Resource", request: "PageRequest") -> Select[Any] | None:
    conditions = [
        filters.condition(
            resource.columns[field],
            operator,
            value
            if operator == "isnull"
            else _bind(f"f{index}", resource.columns[field], operator),
            field in resource.nullable,
        )
        for index, (field, operator, value) in enumerate(request.terms)
    ]
    after = []
    if request.after is not None:
        after.append(
            keyset_condition(
                request.keys,
                request.after,
                lambda position, key, _: _param(f"k{position}", key.column.type),
            )
        )
    selection = request.selection
    selected = resource.selected(selection.fields, request.extra(resource))
    position = func.row_number().over(order_by=[key.order_by() for key in request.keys]).label("_n")
    rows = (
        select(*(resource.columns[name].label(name) for name in selected), position)
        .select_from(resource.table)
        .where(*resource.criteria, *conditions, *after)
        .order_by(*(key.order_by() for key in request.keys))
        .limit(_param("limit", BigInteger()))
        .offset(_param("offset", BigInteger()))
        .cte("page")
    )
    shown = [name for name in selected if name in resource.shown(selection.fields)]
    item = _item(
        dialect, resource, {name: rows.c[name] for name in selected}, shown, selection, rows
    )
    if item is None:
        return None
    on_page = rows.c._n <= _param("last", BigInteger())
    items = func.coalesce(
        func.json_agg(aggregate_order_by(item.table_valued(), rows.c._n)).filter(on_page), _EMPTY
    )
    total: ColumnElement[Any] = literal_column("NULL::bigint")
    if request.count:
        total = (
            select(func.count())
            .select_from(resource.table)
            .where(*resource.criteria, *conditions)
            .correlate(None)
            .scalar_subquery()
        )
    last = [
        select(rows.c[key.field])
        .where(rows.c._n == _param("last", BigInteger()))
        .correlate(None)
        .scalar_subquery()
        for key in request.keys
    ]
    return select(cast(items, Text), func.count(), total, *last).select_from(
        rows.join(item, true())
    )


def _one(dialect: Dialect, resource: "Resource", selection: "Selection") -> Select[Any] | None:
    key = [
        resource.columns[name] == _param(f"key{index}", resource.columns[name].type)
        for index, name in enumerate(resource.primary_key)
    ]
    selected = resource.selected(selection.fields, resource.include_keys(selection.include))
    row = (
        select(*(resource.columns[name].label(name) for name in selected))
        .select_from(resource.table)
        .where(*resource.criteria, *key)
        .cte("row")
    )
    shown = [name for name in selected if name in resource.shown(selection.fields)]
    item = _item(dialect, resource, {name: row.c[name] for name in selected}, shown, selection, row)
    if item is None:
        return None
    return select(cast(func.to_json(item.table_valued()), Text)).select_from(row.join(item, true()))


def _param(name: str, type_: TypeEngine[Any]) -> BindParameter[Any]:
    """A parameter whose value each request gives."""
    return bindparam(name, None, type_=type_)


def _bind(name: str, column: ColumnElement[Any], operator: str) -> ColumnElement[Any]:
    """A filter's value, bound by name; a list is one array (`= ANY($1)`), whatever its length."""
    if isinstance(column.type, ARRAY):
        return _param(name, column.type)
    type_ = filters.unbounded(column.type)
    return _param(name, ARRAY(type_) if operator == "in" else type_)


def _prepared(
    dialect: Dialect, resource: "Resource", shape: Hashable, build: Callable[[], Select[Any] | None]
) -> Statement | None:
    cache = resource.statements
    if shape not in cache:
        statement = build()
        if len(cache) >= _CACHED_SHAPES:
            del cache[next(iter(cache))]
        cache[shape] = None if statement is None else _compile(statement, dialect)
    return cache[shape]


def _compile(statement: Select[Any], dialect: Dialect) -> Statement:
    # The IN lists of a hierarchy's criteria are constants: rendered once, as binds.
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    names = tuple(compiled.positiontup or ())
    return Statement(
        sql=compiled.string,
        names=names,
        processors=tuple(
            _bind_processor(_bound(compiled.binds, name).type, dialect) for name in names
        ),
        constants=dict(compiled.params),
        results=tuple(_reader(column.type, dialect) for column in statement.selected_columns[3:]),
    )


def _bound(binds: Mapping[str, BindParameter[Any]], name: str) -> BindParameter[Any]:
    """The parameter bound as `name`, which for an item of an expanded IN list is `<its name>_<n>`."""
    return binds[name] if name in binds else binds[name.rpartition("_")[0]]


def _reader(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What makes a value asyncpg returns into the one SQLAlchemy would: an enum's member
    from its name, a TypeDecorator's result; asyncpg returns the others as they are."""
    if isinstance(type_, Enum):
        reader: Callable[[Any], Any] | None = type_.result_processor(dialect, None)  # type: ignore[no-untyped-call]
        return reader
    if isinstance(type_, TypeDecorator):
        inner = _reader(type_.impl_instance, dialect)
        if type(type_).process_result_value is TypeDecorator.process_result_value:
            return inner
        return lambda value: type_.process_result_value(
            value if inner is None else inner(value), dialect
        )
    return None


def _bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    return type_.dialect_impl(dialect).bind_processor(dialect)
