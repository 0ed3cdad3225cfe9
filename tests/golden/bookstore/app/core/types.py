"""Types the API's schemas and reads share.

Values clients send are bounded to what their columns store (`Int32`, `Text` ...): a value
a column can't hold is a 422 naming the parameter before any SQL runs, the same on every
database, never a database error.

SQLite keeps datetimes as text without an offset. Request schemas convert aware datetimes
to UTC (`UtcDatetime`) and reads mark stored values as UTC (`utc()`), so the API speaks
aware datetimes on SQLite exactly as it does on PostgreSQL, where both are no-ops.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field
from sqlalchemy import ColumnElement, DateTime, Label, TypeDecorator, type_coerce
from sqlalchemy.engine import Dialect

Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
"""An integer an INTEGER column holds."""

Numeric10_2 = Annotated[
    Decimal,
    Field(
        max_digits=10,
        decimal_places=2,
        json_schema_extra={
            "pattern": r"^-?\d{1,8}(\.\d{1,2})?$",
            "multipleOf": 0.01,
            "exclusiveMinimum": -(10**8),
            "exclusiveMaximum": 10**8,
        },
    ),
]
"""A number a NUMERIC(10, 2) column stores exactly; JSON Schema says so too."""

Below1e8 = Annotated[Decimal, Field(gt=-(10**8), lt=10**8)]
"""A number to compare with a NUMERIC column whose values stay below 1e8 in magnitude."""


def _storable(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain the NUL character, which PostgreSQL can't store")
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            raise ValueError("must not contain an unpaired surrogate (\\ud800-\\udfff)") from None
    return text


Text = Annotated[str, AfterValidator(_storable)]
"""Text every database stores as it was sent: UTF-8 (JSON can carry an unpaired surrogate,
which UTF-8 can't encode), without NUL characters."""


def _to_utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class UtcTimestamp(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime column, read as an aware value on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[dt.datetime]:
        return dt.datetime

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


def utc(column: ColumnElement[Any]) -> Label[dt.datetime]:
    """Select `column`, a timezone-aware datetime, as an aware value on every database."""
    return type_coerce(column, UtcTimestamp()).label(column.key)
