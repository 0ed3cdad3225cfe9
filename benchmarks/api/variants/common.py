"""What the hand-written variants share: settings, the response shape, statement counting.

Every variant serves `GET /books` (a page of books with price >= `price__gte`, ordered by
id, with author and tags), `GET /books/{id}` (one such book) and `POST /books`. A book is
returned as `BOOK_FIELDS`, its author as `{id, name}` and its tags as `[{id, name}]`.

Statements are counted only when the driver starts a variant with `BENCH_COUNT=1` (its
content check): each SQL statement a request runs adds one to the request's count, which
a pure ASGI middleware reports as `Server-Timing: db;desc="N queries"`, the header the
generated project sends. Measured runs start without it, so counting costs them nothing.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BOOK_FIELDS = ("id", "title", "isbn", "price", "published_on", "author_id")
LIST_PRICE_GTE = Decimal("50")
"""The list every variant is asked for: `price__gte=50&limit=50` (about half the books match)."""
LIST_LIMIT = 50
POOL_SIZE = 20
"""The generated project's defaults (POOL_SIZE 20, MAX_OVERFLOW 0), for every variant."""
MAX_OVERFLOW = 0

COUNTING = os.environ.get("BENCH_COUNT") == "1"
_statements: ContextVar[list[int] | None] = ContextVar("bench_statements", default=None)


def database_url(driver: str = "postgresql") -> str:
    """DATABASE_URL with the given driver (`postgresql+asyncpg` for SQLAlchemy)."""
    url = os.environ["DATABASE_URL"]
    return driver + url[url.index("://") :]


def count_statement() -> None:
    """Add one statement to the current request's count (when counting)."""
    counter = _statements.get()
    if counter is not None:
        counter[0] += 1


def count_engine_statements(engine: AsyncEngine) -> None:
    """Count every statement `engine` sends, as the generated project's events do."""

    def after(*_args: Any) -> None:
        count_statement()

    event.listen(engine.sync_engine, "after_cursor_execute", after)


class StatementCounter:
    """Pure ASGI middleware: `Server-Timing: db;desc="N queries"` on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        token = _statements.set(counter)

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("Server-Timing", f'db;desc="{counter[0]} queries"')
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            _statements.reset(token)
