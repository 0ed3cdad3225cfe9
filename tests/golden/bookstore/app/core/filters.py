"""Query parameters of reads, and filters: `?price__gte=10&title__icontains=war` to SQL.

Each model's query schema declares one typed field per column and operator, so FastAPI
validates and coerces every value, documents it in OpenAPI, and refuses unknown parameters
with a 422. This module turns the fields a request set into WHERE conditions; values always
travel as bound parameters, compared as the client sent them.
"""

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Annotated, Any, ClassVar, TypeVar

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
from sqlalchemy import ARRAY, BindParameter, Boolean, ColumnElement, Float, Numeric, any_, bindparam
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

    _filter_names: ClassVar[tuple[tuple[str, ...], ...]] = ()
    """The names of each filter that has more than one (`id`, `id__eq`)."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._filter_names = tuple(
            tuple(str(name) for name in field.validation_alias.choices)
            for field in cls.model_fields.values()
            if isinstance(field.validation_alias, AliasChoices)
        )

    @model_validator(mode="before")
    @classmethod
    def _one_name_per_filter(cls, data: Any) -> Any:
        """`?id=1&id__eq=2` gives one filter twice: a 422 naming the second name."""
        if isinstance(data, dict):
            for names in cls._filter_names:
                given = [name for name in names if name in data]
                if len(given) > 1:
                    first, second = given[:2]
                    message = f"{first} and {second} are one filter: give one of them"
                    error = InitErrorDetails(
                        type=PydanticCustomError("one_filter", message),
                        loc=(second,),
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

Term = tuple[str, str, Any]
"""A filter a request gave: (field, operator, value), `?price__gte=10` is ("price", "gte", 10)."""

_LIKE = frozenset({"contains", "icontains", "startswith"})

Condition = Callable[[ColumnElement[Any], Any, bool], ColumnElement[bool]]


def terms(query: BaseModel) -> list[Term]:
    """The filters `query` was given, in the order of their names.

    Filter fields are named `<field>` (equality) or `<field>__<operator>`; each model's
    schema declares only the operators that suit each column's type.
    """
    found = []
    for name in sorted(query.model_fields_set - _NOT_FILTERS):
        field, _, operator = name.rpartition("__")
        if operator not in _OPERATORS and operator != "isnull":
            field, operator = name, "eq"
        found.append((field, operator, getattr(query, name)))
    return found


def operand(operator: str, value: Any) -> Any:
    """The value to bind for `operator`: text to look for becomes a LIKE pattern that
    matches it literally (`%`, `_` and the escape character `/` escaped)."""
    if operator not in _LIKE or not isinstance(value, str):
        return value
    escaped = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"{escaped}%" if operator == "startswith" else f"%{escaped}%"


def bind(column: ColumnElement[Any], operator: str, value: Any) -> BindParameter[Any]:
    """`value` bound for `operator`, compared as the client sent it (see `unbounded`)."""
    if isinstance(column.type, ARRAY):  # `contains`: the column's own type, an array
        return bindparam(None, value, type_=column.type)
    return bindparam(None, value, type_=unbounded(column.type), expanding=operator == "in")


def condition(
    column: ColumnElement[Any], operator: str, operand: Any, nullable: bool
) -> ColumnElement[bool]:
    """`column <operator> operand`: `operand` is a bound value, or for `isnull` a bool."""
    if operator == "isnull":
        return column.is_(None) if operand else column.is_not(None)
    return _OPERATORS[operator](column, operand, nullable)


def _not_equal(column: ColumnElement[Any], value: Any, nullable: bool) -> ColumnElement[bool]:
    # `!=` would drop the rows where the column is NULL; IS DISTINCT FROM keeps them.
    return column.is_distinct_from(value) if nullable else column != value


def _one_of(column: ColumnElement[Any], values: Any, _: bool) -> ColumnElement[bool]:
    """IN a list of binds, or `= ANY(:array)`: one bind whatever the number of values."""
    if isinstance(values, BindParameter) and values.expanding:
        return column.in_(values)
    return column == any_(values)


def _contains(column: ColumnElement[Any], value: Any, _: bool) -> ColumnElement[bool]:
    if isinstance(column.type, ARRAY):
        # The rows whose array holds all of the values: PostgreSQL's `@>`, spelled out
        # (SQLAlchemy's generic ARRAY type has no `contains()`).
        return column.op("@>", return_type=Boolean)(value)
    return column.like(value, escape="/")


_OPERATORS: Mapping[str, Condition] = {
    "eq": lambda column, value, _: column == value,
    "ne": _not_equal,
    "gt": lambda column, value, _: column > value,
    "gte": lambda column, value, _: column >= value,
    "lt": lambda column, value, _: column < value,
    "lte": lambda column, value, _: column <= value,
    "in": _one_of,
    "contains": _contains,
    "icontains": lambda column, value, _: column.ilike(value, escape="/"),
    "startswith": lambda column, value, _: column.like(value, escape="/"),
}


def unbounded(type_: TypeEngine[Any]) -> TypeEngine[Any]:
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


def conditions(
    terms: Sequence[Term], columns: Mapping[str, ColumnElement[Any]], nullable: Collection[str]
) -> Iterator[ColumnElement[bool]]:
    """The WHERE conditions of filters, their values bound."""
    for field, operator, value in terms:
        column = columns[field]
        given = value if operator == "isnull" else bind(column, operator, operand(operator, value))
        yield condition(column, operator, given, field in nullable)
