"""Per-request database statistics, the Server-Timing header that reports them, and the
slow-statement log.

Engine events count each statement and its duration into the current request's
`QueryStats`, found through a ContextVar (SQLAlchemy runs the events in a greenlet that
shares the request's context). The middleware is pure ASGI: Starlette's
BaseHTTPMiddleware costs a bare endpoint about two thirds of its throughput. Observers see
each request's statistics when it ends (core/budget.py).
"""

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class QueryStats:
    statements: int = 0
    seconds: float = 0.0
    sql: Counter[str] = field(default_factory=Counter)
    """How many times each statement ran, to name the one a request repeats."""
    slow: int = 0
    """Statements that took SLOW_STATEMENT seconds or more."""


Observer = Callable[[Scope, QueryStats], None]
"""Called with a request's scope and statistics when its response has been sent."""

_log = logging.getLogger(__name__)


_current: ContextVar[QueryStats | None] = ContextVar("query_stats", default=None)


def count_statements(engine: AsyncEngine, *, slow: float) -> None:
    """Add every statement `engine` runs, failed ones too, to the request's QueryStats; log
    those that take `slow` seconds or longer (0: none)."""
    slow = slow or float("inf")

    def before(_conn: Any, _cursor: Any, _sql: Any, _params: Any, ctx: Any, _many: Any) -> None:
        ctx.fe_started = perf_counter()

    def after(_conn: Any, _cursor: Any, sql: str, _params: Any, ctx: Any, _many: Any) -> None:
        _record(ctx, sql, slow)

    def failed(exception_context: Any) -> None:
        if exception_context.execution_context is not None:
            _record(exception_context.execution_context, exception_context.statement, slow)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    event.listen(engine.sync_engine, "handle_error", failed)


def _record(ctx: Any, sql: str | None, slow: float) -> None:
    started = getattr(ctx, "fe_started", None)
    if started is not None:
        seconds = perf_counter() - started
        record_statement(seconds, sql)
        if seconds >= slow:
            record_slow_statement(seconds, sql)


def record_statement(seconds: float, sql: str | None) -> None:
    """Add a statement that took `seconds` to the request's QueryStats: for statements run
    on the driver's connection (core/postgres.py), which the engine's events don't see."""
    stats = _current.get()
    if stats is not None:
        stats.statements += 1
        stats.seconds += seconds
        if sql is not None:
            stats.sql[sql] += 1


def record_slow_statement(seconds: float, sql: str | None) -> None:
    """Log it with its SQL only (the values it ran with may be personal data or secrets),
    and count it in the request's QueryStats."""
    stats = _current.get()
    if stats is not None:
        stats.slow += 1
    text = " ".join((sql or "").split())
    _log.warning("slow statement, %.0f ms (parameters not logged): %s", seconds * 1000, text)


class ServerTimingMiddleware:
    """Gathers each HTTP request's QueryStats for the `observers`; with `header`, adds
    `Server-Timing: db;dur=<ms>;desc="<N> queries"` to its response."""

    def __init__(
        self, app: ASGIApp, *, header: bool = True, observers: Sequence[Observer] = ()
    ) -> None:
        self.app = app
        self.header = header
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stats = QueryStats()
        token = _current.set(stats)

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start" and self.header:
                headers = MutableHeaders(scope=message)
                queries = "query" if stats.statements == 1 else "queries"
                headers.append(
                    "Server-Timing",
                    f'db;dur={stats.seconds * 1000:.2f};desc="{stats.statements} {queries}"',
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            _current.reset(token)
            for observe in self.observers:
                observe(scope, stats)
