"""Error responses. A violated constraint is a 409 naming it, taken from the database's own
IntegrityError: a check before the write would race with concurrent writers."""

import json
import re
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from app.core.schemas import Problem

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No row has this key"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "description": "A unique or foreign-key constraint was violated"},
}
UNREADABLE_BODY: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON encoded as UTF-8"},
}

# SQLSTATEs of integrity violations, as PostgreSQL reports them through asyncpg.
_KINDS = {
    "23505": "unique",
    "23503": "foreign key",
    "23502": "not null",
    "23514": "check",
    "23P01": "exclusion",
}
_SQLITE = re.compile(r"(UNIQUE|FOREIGN KEY|NOT NULL|CHECK) constraint failed(?::\s*(.+))?")


def describe_integrity_error(error: IntegrityError) -> str:
    """One line naming the violated constraint: `unique constraint "books_isbn_key" ...`."""
    driver_error = error.orig.__cause__ if error.orig is not None else None
    sqlstate = getattr(driver_error, "sqlstate", None)
    if sqlstate in _KINDS:
        name = getattr(driver_error, "constraint_name", None) or getattr(
            driver_error, "column_name", None
        )
        message = f'{_KINDS[sqlstate]} constraint "{name}" violated'
        detail = getattr(driver_error, "detail", None)
        return f"{message}: {detail}" if detail else message
    match = _SQLITE.search(str(error.orig))
    if match:
        kind, target = match.group(1).lower(), match.group(2)
        return (
            f"{kind} constraint violated on {target}" if target else f"{kind} constraint violated"
        )
    return "integrity constraint violated"


async def validation_error_handler(_request: Request, error: Exception) -> Response:
    """FastAPI's 422. An input with an unpaired surrogate (`"\\ud800"` in a JSON body) has no
    UTF-8 form, which FastAPI's own handler fails on: such a body is escaped to ASCII."""
    assert isinstance(error, RequestValidationError)
    content = {"detail": jsonable_encoder(error.errors())}
    try:
        return JSONResponse(content, status_code=422)
    except UnicodeEncodeError:
        return Response(json.dumps(content), status_code=422, media_type="application/json")


async def integrity_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, IntegrityError)
    return JSONResponse({"detail": describe_integrity_error(error)}, status_code=409)


def not_found(model: str, key: Any) -> HTTPException:
    return HTTPException(404, f"{model} {key} not found")


def invalid(location: tuple[str | int, ...], message: str, value: Any) -> RequestValidationError:
    """A 422 in FastAPI's own format, for what only the query layer can check."""
    return RequestValidationError(
        [{"type": "value_error", "loc": location, "msg": message, "input": value}]
    )
