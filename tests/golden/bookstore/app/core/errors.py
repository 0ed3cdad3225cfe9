"""Error responses. A violated constraint is a 409 naming it, taken from the database's own
IntegrityError: a check before the write would race with concurrent writers."""

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import MetaData
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
_WRITE = re.compile(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+("[^"]+"|\S+)', re.IGNORECASE)


def describe_integrity_error(error: IntegrityError, metadata: Sequence[MetaData]) -> str:
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
    if match is None:
        return "integrity constraint violated"
    kind, target = match.group(1).lower(), match.group(2)
    if target:
        return f"{kind} constraint violated on {target}"
    if kind == "foreign key":
        return _foreign_keys(error.statement or "", metadata)
    return f"{kind} constraint violated"


def _foreign_keys(statement: str, metadata: Sequence[MetaData]) -> str:
    """The foreign keys a write may have broken: SQLite names none, so they are found from
    the table the statement writes."""
    tables = {table.name: table for each in metadata for table in each.tables.values()}
    match = _WRITE.match(statement)
    table = tables.get(match.group(2).strip('"').rpartition(".")[2]) if match else None
    if match is None or table is None:
        return "foreign key constraint violated"
    if match.group(1).upper() == "DELETE FROM":
        referring = [
            f"{key.parent.table.name}.{key.parent.name}"
            for other in tables.values()
            for key in other.foreign_keys
            if key.column.table is table
        ]
        return f"foreign key constraint violated: {', '.join(referring)} still refers to this row"
    keys = [
        f"{key.parent.name} -> {key.column.table.name}.{key.column.name}"
        for key in table.foreign_keys
    ]
    return f"foreign key constraint violated on {table.name}: {', '.join(keys)} must refer to an existing row"


async def validation_error_handler(_request: Request, error: Exception) -> Response:
    """FastAPI's 422. An input with an unpaired surrogate (`"\\ud800"` in a JSON body) has no
    UTF-8 form, which FastAPI's own handler fails on: such a body is escaped to ASCII."""
    assert isinstance(error, RequestValidationError)
    content = {"detail": jsonable_encoder(error.errors())}
    try:
        return JSONResponse(content, status_code=422)
    except UnicodeEncodeError:
        return Response(json.dumps(content), status_code=422, media_type="application/json")


def integrity_error_handler(
    metadata: Sequence[MetaData],
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """The 409 handler for the tables of `metadata`."""

    async def handle(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, IntegrityError)
        return JSONResponse({"detail": describe_integrity_error(error, metadata)}, status_code=409)

    return handle


async def pool_timeout_handler(_request: Request, _error: Exception) -> JSONResponse:
    """A 503 when no pooled connection came free within POOL_TIMEOUT: the service is
    overloaded, and the client (or the load balancer) had better retry than wait on."""
    detail = "no database connection came free in time: the service is overloaded"
    return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "1"})


def not_found(model: str, key: Any) -> HTTPException:
    return HTTPException(404, f"{model} {key} not found")


def invalid(location: tuple[str | int, ...], message: str, value: Any) -> RequestValidationError:
    """A 422 in FastAPI's own format, for what only the query layer can check."""
    return RequestValidationError(
        [{"type": "value_error", "loc": location, "msg": message, "input": value}]
    )
