"""Sorting and keyset pagination with opaque, signed cursors.

Every sort ends with the primary key, so the order is total and pages are stable even
when sort values tie. NULLs sort last in both directions, on every database. A cursor holds
the last row's sort values and the sort it was made for, signed with HMAC so that clients
can neither forge nor edit one; the next page is the rows strictly after those values.
"""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import ColumnElement, TypeDecorator, and_, false, literal, or_, tuple_
from sqlalchemy.types import TypeEngine

from app.core.errors import invalid


@dataclass(frozen=True)
class SortKey:
    field: str
    column: ColumnElement[Any]
    descending: bool = False
    nullable: bool = False

    def order_by(self) -> ColumnElement[Any]:
        ordered = self.column.desc() if self.descending else self.column.asc()
        return ordered.nulls_last() if self.nullable else ordered

    def after(self, value: Any, bound: ColumnElement[Any]) -> ColumnElement[bool]:
        """Rows whose value sorts strictly after `value`, which `bound` binds."""
        if value is None:  # NULLs sort last: nothing comes after them
            return false()
        beyond = self.column < bound if self.descending else self.column > bound
        return or_(beyond, self.column.is_(None)) if self.nullable else beyond

    def equal(self, value: Any, bound: ColumnElement[Any]) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == bound


Bind = Callable[[int, SortKey, Any], ColumnElement[Any]]
"""Binds the value of the sort key at a position of the cursor."""


def _literal(_position: int, key: SortKey, value: Any) -> ColumnElement[Any]:
    # Bound with the column's type: `flag > True` is refused, `flag > :value` is not, and a
    # native enum is not a VARCHAR.
    return literal(value, key.column.type)


def sort_keys(
    sort: Sequence[str] | None,
    columns: Mapping[str, ColumnElement[Any]],
    primary_key: Sequence[str],
    nullable: Collection[str],
) -> list[SortKey]:
    """`["-price", "title"]` as sort keys, completed with the primary key."""
    keys: list[SortKey] = []
    for spec in sort or ():
        field = spec.removeprefix("-")
        if any(key.field == field for key in keys):
            raise invalid(("query", "sort"), f"sort names {field} more than once", list(sort or ()))
        keys.append(SortKey(field, columns[field], spec.startswith("-"), field in nullable))
    named = {key.field for key in keys}
    keys += [SortKey(field, columns[field]) for field in primary_key if field not in named]
    return keys


def keyset_condition(
    keys: Sequence[SortKey], values: Sequence[Any], bind: Bind = _literal
) -> ColumnElement[bool]:
    """The rows after `values` in the order of `keys`."""
    bound = [
        bind(position, key, value)
        for position, (key, value) in enumerate(zip(keys, values, strict=True))
    ]
    if len({key.descending for key in keys}) == 1 and not any(key.nullable for key in keys):
        # One direction and no NULLs: a row-value comparison, which an index serves directly.
        row = tuple_(*(key.column for key in keys))
        return row < tuple_(*bound) if keys[0].descending else row > tuple_(*bound)
    # (a after va) OR (a = va AND b after vb) OR ...
    terms = []
    for position, key in enumerate(keys):
        ties = [
            prior.equal(values[index], bound[index]) for index, prior in enumerate(keys[:position])
        ]
        terms.append(and_(*ties, key.after(values[position], bound[position])))
    return or_(*terms)


def _signature(keys: Sequence[SortKey]) -> str:
    return ",".join(("-" if key.descending else "") + key.field for key in keys)


class Cursors:
    """Makes and checks cursors with one secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()
        self._adapters: dict[type[Any], TypeAdapter[Any]] = {}

    def encode(self, keys: Sequence[SortKey], row: Mapping[str, Any]) -> str:
        payload = {"s": _signature(keys), "v": [row[key.field] for key in keys]}
        body = json.dumps(to_jsonable_python(payload), separators=(",", ":")).encode()
        return f"{_b64encode(body)}.{_b64encode(self._sign(body))}"

    def decode(self, cursor: str, keys: Sequence[SortKey]) -> list[Any]:
        """The sort values in `cursor`; a 422 if it was altered or made for another sort."""
        try:
            body_text, signature = cursor.split(".")
            body = _b64decode(body_text)
            valid = hmac.compare_digest(_b64decode(signature), self._sign(body))
        except (ValueError, binascii.Error):
            valid = False
        if not valid:
            raise invalid(("query", "cursor"), "cursor is not valid", cursor)
        payload = json.loads(body)
        if payload["s"] != _signature(keys):
            raise invalid(("query", "cursor"), "cursor was made for another sort", cursor)
        try:
            return [self._python(key, value) for key, value in zip(keys, payload["v"], strict=True)]
        except (ValidationError, ValueError):
            raise invalid(("query", "cursor"), "cursor is not valid", cursor) from None

    def _sign(self, body: bytes) -> bytes:
        return hmac.digest(self._secret, body, hashlib.sha256)[:16]

    def _python(self, key: SortKey, value: Any) -> Any:
        """A cursor value as the column's Python type (JSON keeps only str and numbers)."""
        if value is None:
            return None
        python_type = _python_type(key.column.type)
        if python_type not in self._adapters:
            self._adapters[python_type] = TypeAdapter(python_type)
        return self._adapters[python_type].validate_python(value)


def _python_type(sql_type: TypeEngine[Any]) -> type[Any]:
    """The column type's Python type, seeing through TypeDecorators that don't declare one."""
    python_type = sql_type.python_type
    if python_type is object and isinstance(sql_type, TypeDecorator):
        return _python_type(sql_type.impl_instance)
    while get_origin(python_type) is Annotated:  # pydantic's UUID4: keys are any UUID
        python_type = get_args(python_type)[0]
    return python_type


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
