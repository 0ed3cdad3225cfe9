"""JSON responses serialised straight from rows with orjson.

Endpoints return these rather than pydantic models: validating and dumping a model per row
costs more than the query. The schemas still document every response in OpenAPI.
"""

from functools import partial
from typing import Any

import orjson
from fastapi import Response
from pydantic_core import to_jsonable_python

# orjson writes str, numbers, datetimes, UUIDs and enums itself; pydantic's encoder does the
# rest (Decimal, timedelta, IP addresses, bytes as base64) as a model would.
_default = partial(to_jsonable_python, bytes_mode="base64")


def json_response(content: Any, status_code: int = 200) -> Response:
    # Row keys may be SQLAlchemy's `quoted_name`, a str subclass that orjson only takes
    # with OPT_NON_STR_KEYS (plain str keys keep the fast path).
    body = orjson.dumps(content, default=_default, option=orjson.OPT_NON_STR_KEYS)
    return Response(body, status_code=status_code, media_type="application/json")
