"""Prometheus metrics at `/metrics`: request latency by route, the
requests' statements, the pool, slow statements, cached reads by outcome.

The metrics live in the app's own registry (`Metrics`), so each app, a test's too, counts
its own. With several worker processes (`granian --workers N`), set PROMETHEUS_MULTIPROC_DIR
to an empty directory before the server starts (and empty it at each start): prometheus-client
then keeps every process's values in files there, and the endpoint adds them up whichever
worker answers. A new metric is one attribute of `Metrics` and an `.inc()` where it happens.
"""

import os
from time import perf_counter
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics import MetricWrapperBase
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.timing import QueryStats

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def exposition(request: Request) -> Response:
    """The metrics in Prometheus' text format."""
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        by_route = ["method", "route"]
        self.requests = Histogram(
            "http_request_duration_seconds",
            "Seconds to answer a request, by route template and status",
            [*by_route, "status"],
            registry=self.registry,
        )
        self.statements = Counter(
            "db_statements", "Statements run by requests", by_route, registry=self.registry
        )
        self.statement_seconds = Counter(
            "db_statement_duration_seconds",
            "Seconds the statements of requests took",
            by_route,
            registry=self.registry,
        )
        self.slow_statements = Counter(
            "db_slow_statements",
            "Statements of requests that took SLOW_STATEMENT seconds or more",
            by_route,
            registry=self.registry,
        )
        self.cache = Counter(
            "cache_reads",
            "Cached reads by outcome: hit-l1 (in process), hit-l2 (Redis), coalesced, miss",
            [*by_route, "outcome"],
            registry=self.registry,
        )
        self.pool_checked_out = Gauge(
            "db_pool_checked_out_connections",
            "Pooled connections lent out",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.pool_overflow = Gauge(
            "db_pool_overflow_connections",
            "Connections open beyond POOL_SIZE",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        # The series of each metric and label set, found once: `labels()` checks its
        # arguments and takes a lock at every call.
        self._series: dict[tuple[object, ...], Any] = {}

    def series(self, metric: MetricWrapperBase, *labels: str) -> Any:
        """`metric.labels(*labels)`, looked up once."""
        key = (id(metric), *labels)
        found = self._series.get(key)
        if found is None:
            found = self._series[key] = metric.labels(*labels)
        return found

    def observe_statements(self, scope: Scope, stats: QueryStats) -> None:
        """A request's statements (an Observer of core/timing.py)."""
        labels = (scope["method"], route_of(scope))
        self.series(self.statements, *labels).inc(stats.statements)
        self.series(self.statement_seconds, *labels).inc(stats.seconds)
        if stats.slow:
            self.series(self.slow_statements, *labels).inc(stats.slow)

    def observe_cache(self, scope: Scope, outcome: str) -> None:
        """A cached read's outcome (core/cache.py)."""
        self.series(self.cache, scope["method"], route_of(scope), outcome).inc()

    def watch_pool(self, engine: AsyncEngine) -> None:
        """Keep the pool's gauges current from its events (a collector that asked the pool
        would not work across processes). The pool counts a connection it is about to close
        or take back until after the event: the gauges count for themselves."""
        pool = engine.sync_engine.pool
        if not isinstance(pool, QueuePool):
            return
        size = pool.size()
        opened = 0

        def connected(*_event: object) -> None:
            nonlocal opened
            opened += 1
            self.pool_overflow.set(max(opened - size, 0))

        def closed(*_event: object) -> None:
            nonlocal opened
            opened -= 1
            self.pool_overflow.set(max(opened - size, 0))

        event.listen(pool, "connect", connected)
        event.listen(pool, "close", closed)
        event.listen(pool, "checkout", lambda *_event: self.pool_checked_out.inc())
        event.listen(pool, "checkin", lambda *_event: self.pool_checked_out.dec())

    def exposition(self) -> bytes:
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def route_of(scope: Scope) -> str:
    """The template of the route that served the request (`/books/{key}`), or that the cache
    answered for (core/cache.py): one series per route, not per URL."""
    path: str | None = getattr(scope.get("route"), "path", None)
    return path or scope.get("route_template") or "(unmatched)"


class MetricsMiddleware:
    """Times every HTTP request into `Metrics.requests` (pure ASGI, as core/timing.py)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            labels = (scope["method"], route_of(scope), str(status))
            self.metrics.series(self.metrics.requests, *labels).observe(perf_counter() - started)
