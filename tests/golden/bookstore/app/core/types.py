"""Types the API's schemas and reads share.

SQLite keeps datetimes as text without an offset. Request schemas convert aware datetimes
to UTC (`UtcDatetime`) and reads mark stored values as UTC (`utc()`), so the API speaks
aware datetimes on SQLite exactly as it does on PostgreSQL, where both are no-ops.
"""

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime
from sqlalchemy import ColumnElement, DateTime, Label, TypeDecorator, type_coerce
from sqlalchemy.engine import Dialect


def _to_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class _UtcDateTime(TypeDecorator[dt.datetime]):
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
    return type_coerce(column, _UtcDateTime()).label(column.key)
