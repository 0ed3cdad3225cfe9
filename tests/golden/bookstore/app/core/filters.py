"""Query parameters of reads, and filters: `?price__gte=10&title__icontains=war` to SQL.

Each model's query schema declares one typed field per column and operator, so FastAPI
validates and coerces every value, documents it in OpenAPI, and refuses unknown parameters
with a 422. This module turns the fields a request set into WHERE conditions; values always
travel as bound parameters, compared as the client sent them.
"""

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import BindParameter, Boolean, ColumnElement, Float, Numeric, bindparam
from sqlalchemy.dialects.postgresql import INTERVAL
from sqlalchemy.types import TypeEngine

T = TypeVar("T")


def _split_commas(value: Any) -> Any:
    items = value if isinstance(value, list) else [value]
    parts = []
    for item in items:
        if not isinstance(item, str):
            parts.append(item)
        elif item:  # `?id__in=` gives no value, not an empty one
            parts += item.split(",")
    return parts


CommaList = Annotated[list[T], BeforeValidator(_split_commas), Field(min_length=1)]
"""`?id__in=1,2&id__in=3` is [1, 2, 3]: comma-separated, repeatable, at least one value."""


def _given_once(value: Any) -> Any:
    if isinstance(value, list) and len(value) > 1:
        raise ValueError("give it once, its values separated by commas")
    return value


OnceCommaList = Annotated[CommaList[T], BeforeValidator(_given_once)]
"""`?sort=-price,title`: comma-separated, given once (a second `sort` would be ambiguous)."""


class ReadParams(BaseModel):
    """Parameters of every read: which fields to return.

    Each model's query schemas narrow `fields` to its own names, and add `include` when
    the model has relationships to include.
    """

    model_config = ConfigDict(extra="forbid")

    fields: Sequence[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_name_per_filter(cls, data: Any) -> Any:
        """`?id=1&id__eq=2` gives one filter twice: a 422 naming the second name."""
        if isinstance(data, dict):
            for field in cls.model_fields.values():
                if isinstance(field.validation_alias, AliasChoices):
                    given = [name for name in field.validation_alias.choices if name in data]
                    if len(given) > 1:
                        first, second = given[:2]
                        message = f"{first} and {second} are one filter: give one of them"
                        error = InitErrorDetails(
                            type=PydanticCustomError("one_filter", message),
                            loc=(str(second),),
                            input=data[second],
                        )
                        raise ValidationError.from_exception_data(cls.__name__, [error])
        return data


class ListParams(ReadParams):
    """Sorting and paging parameters of every list; each model adds its filters."""

    sort: Sequence[str] | None = None
    limit: int | None = Field(default=None, ge=1, description="Rows per page.")
    offset: int | None = Field(
        default=None, ge=0, le=2**63 - 1, description="Rows to skip; not with `cursor`."
    )
    cursor: str | None = Field(default=None, description="The `next_cursor` of the previous page.")
    count: bool = Field(default=False, description="Also count the matching rows.")


_NOT_FILTERS = frozenset(ListParams.model_fields) | {"include"}

Condition = Callable[[ColumnElement[Any], Any, bool], ColumnElement[bool]]


def _not_equal(column: ColumnElement[Any], value: Any, nullable: bool) -> ColumnElement[bool]:
    # `!=` would drop the rows where the column is NULL; IS DISTINCT FROM keeps them.
    value = _exactly(column, value)
    return column.is_distinct_from(value) if nullable else column != value


def _holds_all(column: ColumnElement[Any], values: list[Any]) -> ColumnElement[bool]:
    """On an array, `contains` takes a list: the rows whose array holds all of its values.

    PostgreSQL's `@>`, spelled out: SQLAlchemy's generic ARRAY type has no `contains()`.
    """
    return column.op("@>", return_type=Boolean)(values)


OPERATORS: Mapping[str, Condition] = {
    "eq": lambda column, value, _: column == _exactly(column, value),
    "ne": _not_equal,
    "gt": lambda column, value, _: column > _exactly(column, value),
    "gte": lambda column, value, _: column >= _exactly(column, value),
    "lt": lambda column, value, _: column < _exactly(column, value),
    "lte": lambda column, value, _: column <= _exactly(column, value),
    "in": lambda column, values, _: column.in_(_exactly(column, values)),
    "isnull": lambda column, value, _: column.is_(None) if value else column.is_not(None),
    "contains": lambda column, value, _: (
        _holds_all(column, value)
        if isinstance(value, list)
        else column.contains(value, autoescape=True)
    ),
    "icontains": lambda column, value, _: column.icontains(value, autoescape=True),
    "startswith": lambda column, value, _: column.startswith(value, autoescape=True),
}


def _unbounded(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """The column's type without the precision that would change a value before it is
    compared: asyncpg binds each value with a cast to its type, and `$1::NUMERIC(10, 2)`
    makes 50.126 into 50.13 (so `price > 50.126` would miss the rows priced 50.13)."""
    if isinstance(type_, Float) and type_.precision is not None:
        return Float()
    if isinstance(type_, Numeric) and not isinstance(type_, Float) and type_.precision is not None:
        return Numeric()
    if isinstance(type_, INTERVAL) and type_.fields is not None:
        return INTERVAL()
    return type_


def _exactly(column: ColumnElement[Any], value: Any) -> BindParameter[Any]:
    """`value` bound as the client sent it, whatever the column's precision."""
    return bindparam(None, value, type_=_unbounded(column.type), expanding=isinstance(value, list))


def conditions(
    query: BaseModel, columns: Mapping[str, ColumnElement[Any]], nullable: Collection[str]
) -> Iterator[ColumnElement[bool]]:
    """The WHERE conditions of the filters `query` was given.

    Filter fields are named `<field>` (equality) or `<field>__<operator>`; each model's
    schema declares only the operators that suit each column's type.
    """
    for name in sorted(query.model_fields_set - _NOT_FILTERS):
        field, _, operator = name.rpartition("__")
        if operator not in OPERATORS:
            field, operator = name, "eq"
        yield OPERATORS[operator](columns[field], getattr(query, name), field in nullable)
