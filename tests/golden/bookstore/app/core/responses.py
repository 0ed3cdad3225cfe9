"""JSON responses serialised straight from rows with orjson.

Endpoints return these rather than pydantic models: validating and dumping a model per row
costs more than the query. The schemas still document every response in OpenAPI. On
PostgreSQL, reads send the JSON the database builds (core/postgres.py) in the same format.
"""

import base64
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Response
from pydantic_core import to_jsonable_python


def _default(value: Any) -> Any:
    """What orjson doesn't write itself, written as PostgreSQL's JSON writes it."""
    if isinstance(value, Decimal):
        return format(value, "f")  # 0.0000001, not 1E-7; the scale kept: 10.50
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()  # standard base64, as `format: byte` says
    # Intervals, IP addresses ... as a pydantic model would write them.
    return to_jsonable_python(value)


def json_body(content: Any) -> bytes:
    # Row keys may be SQLAlchemy's `quoted_name`, a str subclass that orjson only takes
    # with OPT_NON_STR_KEYS (plain str keys keep the fast path).
    return orjson.dumps(content, default=_default, option=orjson.OPT_NON_STR_KEYS)


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(json_body(content), status_code=status_code, media_type="application/json")
