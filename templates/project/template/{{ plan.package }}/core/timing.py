"""Per-request database statistics and the Server-Timing header that reports them.

Engine events count each statement and its duration into the current request's
`QueryStats`, found through a ContextVar (SQLAlchemy runs the events in a greenlet that
shares the request's context). The middleware is pure ASGI: Starlette's
BaseHTTPMiddleware costs a bare endpoint about two thirds of its throughput.
"""

from contextvars import ContextVar
from dataclasses import dataclass
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


_current: ContextVar[QueryStats | None] = ContextVar("query_stats", default=None)


def count_statements(engine: AsyncEngine) -> None:
    """Add every statement `engine` runs, failed ones too, to the request's QueryStats."""

    def before(_conn: Any, _cursor: Any, _sql: Any, _params: Any, ctx: Any, _many: Any) -> None:
        ctx.fe_started = perf_counter()

    def after(_conn: Any, _cursor: Any, _sql: Any, _params: Any, ctx: Any, _many: Any) -> None:
        _record(ctx)

    def failed(exception_context: Any) -> None:
        if exception_context.execution_context is not None:
            _record(exception_context.execution_context)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    event.listen(engine.sync_engine, "handle_error", failed)


def _record(ctx: Any) -> None:
    started = getattr(ctx, "fe_started", None)
    if started is not None:
        record_statement(perf_counter() - started)


def record_statement(seconds: float) -> None:
    """Add a statement that took `seconds` to the request's QueryStats: for statements run
    on the driver's connection (core/postgres.py), which the engine's events don't see."""
    stats = _current.get()
    if stats is not None:
        stats.statements += 1
        stats.seconds += seconds


class ServerTimingMiddleware:
    """Adds `Server-Timing: db;dur=<ms>;desc="<N> queries"` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stats = QueryStats()
        token = _current.set(stats)

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
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
