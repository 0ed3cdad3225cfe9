"""The application factory: `granian app.main:app --interface asgi` (or uvicorn, in
development) serves `create_app()`."""

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from orjson import OPT_SORT_KEYS, dumps
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.api.router import READS, ROUTERS
from app.core import health
from app.core.budget import statement_budget
from app.core.cache import CacheMiddleware, ResponseCache
from app.core.cache_redis import RedisLayer, connect
from app.core.config import Settings, get_settings
from app.core.db import create_engine, metadata_of
from app.core.docs import serve_docs
from app.core.errors import (
    integrity_error_handler,
    pool_timeout_handler,
    validation_error_handler,
)
from app.core.listing import Pager
from app.core.metrics import Metrics, MetricsMiddleware
from app.core.metrics import router as metrics_router
from app.core.migrate import migrate
from app.core.pagination import Cursors
from app.core.reads import Reader
from app.core.startup import StartupErrorMiddleware, prepare_database
from app.core.timing import ServerTimingMiddleware
from app.models import Author, Book, Review, Tag

_log = logging.getLogger(__name__)
METADATA = metadata_of(Author, Book, Tag, Review)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # The app's own records (migrations, statement budget, slow statements) at INFO, unless
    # the server or the tests configured logging already.
    logging.basicConfig(level=logging.INFO)
    engine = create_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_startup:
            await migrate(settings)
        await prepare_database(engine, METADATA, create=settings.create_tables)
        yield
        # The server has let the requests in flight finish: the pool's connections close.
        await engine.dispose()
        _log.info("closed the connection pool")
        if cache.redis is not None:
            await cache.published()
            await cache.redis.close()

    app = FastAPI(
        title="shop",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # Swagger UI and ReDoc are served with their files (serve_docs), never from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    serve_docs(app, docs_url="/docs", redoc_url="/redoc")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    app.state.reader = Reader(
        engine, postgres_json=settings.postgres_json, max_related=settings.max_related
    )
    app.state.pager = Pager(
        cursors=Cursors(settings.cursor_secret.get_secret_value()),
        page_size=settings.page_size,
        max_page_size=settings.max_page_size,
    )
    app.state.cache = cache = _cache(settings, engine)
    app.state.readiness = health.Readiness(
        {"database": health.database_check(engine, METADATA)},
        degrading={"redis": cache.redis.ping} if cache.redis is not None else None,
        timeout=settings.health_timeout,
    )
    app.add_exception_handler(IntegrityError, integrity_error_handler(METADATA))
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(PoolTimeoutError, pool_timeout_handler)
    app.state.metrics = metrics = Metrics()
    if settings.cache:
        app.add_middleware(
            CacheMiddleware,
            cache=cache,
            server_timing=settings.server_timing,
            observe=metrics.observe_cache,
        )
    metrics.watch_pool(engine)
    app.add_middleware(
        ServerTimingMiddleware,
        header=settings.server_timing,
        observers=[statement_budget(settings.statement_budget), metrics.observe_statements],
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(StartupErrorMiddleware)
    app.include_router(health.router)
    app.include_router(metrics_router)
    for router in ROUTERS:
        app.include_router(router)
    if cache.redis is not None:
        # Entries in Redis are responses: a deploy whose responses differ reads its own.
        shape = hashlib.blake2b(dumps(app.openapi(), option=OPT_SORT_KEYS), digest_size=8)
        cache.redis.namespace = f"{settings.cache_redis_prefix}:{shape.hexdigest()}"
    return app


def _cache(settings: Settings, engine: AsyncEngine) -> ResponseCache:
    """The cache of the models' reads, invalidated by every write through `engine`."""
    cache = ResponseCache(
        max_entries=settings.cache_max_entries,
        max_bytes=settings.cache_max_bytes,
        ttl=settings.cache_ttl,
    )
    for path, (resource, row_route) in READS.items():
        cache.register(path, resource, row_route, settings.cache_ttls.get(path, settings.cache_ttl))
    cache.watch(engine)
    if settings.cache and settings.redis_url:
        cache.redis = RedisLayer(
            connect(settings.redis_url, timeout=settings.redis_timeout),
            prefix=settings.cache_redis_prefix,
            ttl=settings.cache_redis_ttl,
            timeout=settings.redis_timeout,
            on_reconnect=cache.flush,
        )
    return cache


def _operation_id(route: APIRoute) -> str:
    """Operations are named like their functions (`list_books`), which links refer to."""
    return route.name


app = create_app()
