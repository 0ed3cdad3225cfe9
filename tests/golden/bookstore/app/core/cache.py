"""Responses of reads kept in process, never served after a write that changes them.

The cache sits in front of the app as pure ASGI middleware: a hit is a dictionary lookup
and a send, with no routing, no query model, no session and no serialisation. It keeps
the bytes of `200` responses to `GET` a model's list or one of its rows, under the path
and the query string with its parameters in a canonical order (`?b=1&a=2` and `?a=2&b=1`
are one entry; repeated parameters keep their order, which `sort` depends on).

Invalidation is exact and O(1) per write. Each model's reads depend on a set of tables (its
own, and those of everything its responses can include); each entry remembers the
generation of its model's tables when its read *started*, and a write to any of them moves
the generation on. A read that raced a write is stored under the old generation, so it is
never served. Writes are seen in SQLAlchemy's engine events, so rows changed by your own
code through the app's engine (or a session on it) invalidate as the API's writes do.

Entries live `ttl` seconds (1 by default): exact within this process, and the bound on how
stale another process or replica may be, since it does not see this one's writes. Writes
made outside the app (psql, another service) are bounded by the same TTL.

With REDIS_URL set, a read this process misses is looked up in Redis before it runs, and
kept there for the other processes and replicas (core/cache_redis.py); a write is published
there before its response is sent.

A small layer of its own rather than a cache library: what it needs (generations carried by
the entries, single flight keyed on them, entries of bytes served straight from ASGI) is a
few dozen lines, where cashews or aiocache would put a serialiser and tag bookkeeping on
the hit path.
"""

import asyncio
import functools
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Table, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql.selectable import Alias, FromClause, TableClause
from sqlalchemy.sql.util import find_tables
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.cache_redis import RedisLayer
from app.core.listing import Resource

P = ParamSpec("P")
T = TypeVar("T")
D = TypeVar("D", AsyncSession, AsyncConnection)

_WRITTEN = "fe_cache_written"
"""Where a connection's `info` keeps the tables its transaction wrote."""
_EVERY_TABLE = "*"
"""Written by a statement SQLAlchemy can't tell the table of (text SQL, DDL)."""
_READS = frozenset(
    {"SELECT", "WITH", "PRAGMA", "SHOW", "SET", "EXPLAIN", "VALUES", "BEGIN", "COMMIT"}
    | {"ROLLBACK", "SAVEPOINT", "RELEASE"}
)
"""First words of statements that write no table (SQL SQLAlchemy runs as text)."""
_PUBLISHING: ContextVar[list["asyncio.Task[None]"] | None] = ContextVar("publishing", default=None)
"""The current request's writes being published to Redis, which its response waits for."""


@dataclass
class Entry:
    generation: int
    expires: float
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass
class CachedPath:
    """A model's list path, the route of one of its rows (`/books/{id}`), and how many path
    segments its key takes."""

    path: str
    row_route: str
    tables: frozenset[str]
    ttl: float
    generation: int = 0

    @property
    def key_parts(self) -> int:
        return self.row_route.count("/") - self.path.count("/")

    @functools.cached_property
    def stamped(self) -> tuple[str, ...]:
        """The tables whose versions stamp the path's entries in Redis."""
        return (*sorted(self.tables), _EVERY_TABLE)


@dataclass
class Stats:
    """Counts since the app started: `hits` in process, `redis_hits`, `misses` (reads that
    ran), and `coalesced` misses, served by the same read of another request, running when
    they came."""

    hits: int = 0
    redis_hits: int = 0
    misses: int = 0
    coalesced: int = 0
    evictions: int = 0


@dataclass
class ResponseCache:
    """Bounded in entries and bytes; the oldest entries go first."""

    max_entries: int
    max_bytes: int
    ttl: float
    """How long the results of `cached_query` functions live, unless they say."""
    stats: Stats = field(default_factory=Stats)
    redis: RedisLayer | None = None
    """The layer shared with other processes and replicas, when REDIS_URL is set."""
    _paths: dict[str, CachedPath] = field(default_factory=dict)
    _readers: dict[str, list[CachedPath]] = field(default_factory=dict)
    _key_parts: set[int] = field(default_factory=set)
    _entries: OrderedDict[str, Entry] = field(default_factory=OrderedDict)
    """Oldest first. An OrderedDict, whose oldest entry goes in O(1): a dict must skip the
    slots of the entries dropped before it (10x slower at 10,000 entries)."""
    _bytes: int = 0
    _inflight: dict[str, tuple[int, "asyncio.Future[Entry | None]"]] = field(default_factory=dict)
    _versions: dict[str, int] = field(default_factory=dict)
    _epoch: int = 0
    """Moved on by a write to a table SQLAlchemy can't name: every stamp changes."""
    _results: OrderedDict[Hashable, tuple[Hashable, float, Any]] = field(
        default_factory=OrderedDict
    )
    _publishing: Counter[str] = field(default_factory=Counter)
    """Tables whose new versions are on their way to Redis: their reads don't look there."""
    _published: set["asyncio.Task[None]"] = field(default_factory=set)

    def register(self, path: str, resource: Resource, row_route: str, ttl: float) -> None:
        """Cache the reads of `path` and of its rows; `ttl` 0 leaves them uncached."""
        if ttl <= 0:
            return
        cached = CachedPath(path, row_route, tables_read(resource), ttl)
        self._paths[path] = cached
        self._key_parts.add(cached.key_parts)
        for table in cached.tables:
            self._readers.setdefault(table, []).append(cached)

    def invalidate(self, tables: Iterable[str]) -> None:
        """Move on the generation of every path that reads one of `tables`, and the
        version of each table, which `cached_query` results are stamped with."""
        paths: set[int] = set()
        for table in tables:
            if table == _EVERY_TABLE:
                self._epoch += 1
            else:
                self._versions[table] = self._versions.get(table, 0) + 1
            readers = (
                self._paths.values() if table == _EVERY_TABLE else self._readers.get(table, ())
            )
            for cached in readers:
                if id(cached) not in paths:
                    paths.add(id(cached))
                    cached.generation += 1

    def written(self, tables: set[str]) -> None:
        """Invalidate `tables` here, and in Redis before the current response is sent."""
        self.invalidate(tables)
        if self.redis is None:
            return
        self._publishing.update(tables)
        task = asyncio.get_running_loop().create_task(self.redis.publish(tables))
        self._published.add(task)
        task.add_done_callback(functools.partial(self._sent, tables))
        request = _PUBLISHING.get()
        if request is not None:
            request.append(task)

    def _sent(self, tables: set[str], task: "asyncio.Task[None]") -> None:
        self._published.discard(task)
        self._publishing.subtract(tables)
        for table in tables:
            if self._publishing[table] <= 0:
                del self._publishing[table]

    async def published(self) -> None:
        """Wait until the writes seen so far have reached Redis (or failed to): a job that
        writes through the app's engine awaits it before it exits."""
        if self._published:
            await asyncio.wait(set(self._published))

    def flush(self) -> None:
        """Serve nothing kept so far: Redis is back after an outage, during which this
        process saw only its own writes."""
        self.invalidate([_EVERY_TABLE])

    def match(self, path: str) -> CachedPath | None:
        """The cached model path that `path` lists or names a row of, if any."""
        cached = self._paths.get(path)
        if cached is not None:
            return cached
        for parts in self._key_parts:
            head, *key = path.rsplit("/", parts)
            cached = self._paths.get(head)
            if cached is not None and cached.key_parts == parts and all(key):
                return cached
        return None

    def get(self, key: str, cached: CachedPath) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.generation != cached.generation or entry.expires < time.monotonic():
            self._drop(key)
            return None
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self._drop(key)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            _, oldest = self._entries.popitem(last=False)
            self._bytes -= len(oldest.body)
            self.stats.evictions += 1

    async def shared(self, key: str, cached: CachedPath) -> tuple[bytes | None, Entry | None]:
        """Redis's entry of `key` if it is current, and the stamp to keep a read of `key`
        under there (None: don't)."""
        redis = self.redis
        if redis is None or (
            self._publishing
            and (
                _EVERY_TABLE in self._publishing
                or not self._publishing.keys().isdisjoint(cached.tables)
            )
        ):
            return None, None
        generation = cached.generation
        stamp, found = await redis.lookup(key, cached.stamped)
        if found is None:
            return stamp, None
        headers, body = found
        return stamp, Entry(generation, time.monotonic() + cached.ttl, headers, body)

    async def share(self, key: str, stamp: bytes, entry: Entry) -> None:
        """Keep a response read under `stamp` in Redis."""
        if self.redis is not None:
            await self.redis.store(key, stamp, entry.headers, entry.body)

    async def joined(self, key: str, cached: CachedPath) -> Entry | None:
        """The entry of the same read another request is running, when it started on the
        current generation (one started before a write would give the old rows)."""
        inflight = self._inflight.get(key)
        if inflight is None or inflight[0] != cached.generation:
            return None
        return await asyncio.shield(inflight[1])

    def start(self, key: str, cached: CachedPath) -> "asyncio.Future[Entry | None]":
        """Note a read of `key` in flight, which requests for it join until it is finished."""
        done: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = (cached.generation, done)
        return done

    def finish(
        self,
        key: str,
        cached: CachedPath,
        done: "asyncio.Future[Entry | None]",
        entry: Entry | None,
    ) -> None:
        """End a read: keep its entry unless a write came since it started, and hand it to
        the requests that joined it (None: they read for themselves)."""
        if self._inflight.get(key, (None, None))[1] is done:
            del self._inflight[key]
        if entry is not None and entry.generation == cached.generation:
            self.put(key, entry)
        done.set_result(entry)

    async def remember(
        self,
        key: Hashable,
        tables: tuple[str, ...],
        ttl: float | None,
        compute: Callable[[], Awaitable[T]],
    ) -> T:
        """`compute()`'s result, kept until one of `tables` is written or `ttl` passes."""
        stamp = (self._epoch, *(self._versions.get(table, 0) for table in tables))
        found = self._results.get(key)
        if found is not None and found[0] == stamp and found[1] >= time.monotonic():
            self.stats.hits += 1
            return cast(T, found[2])
        self.stats.misses += 1
        value = await compute()
        if stamp == (self._epoch, *(self._versions.get(table, 0) for table in tables)):
            self._results.pop(key, None)
            self._results[key] = (stamp, time.monotonic() + (ttl or self.ttl), value)
            if len(self._results) > self.max_entries:
                self._results.popitem(last=False)
                self.stats.evictions += 1
        return value

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.body)

    def watch(self, engine: AsyncEngine) -> None:
        """Invalidate the tables each transaction on `engine` writes, once it has ended.

        Tables are noted per statement and invalidated when the connection goes back to
        the pool, after the commit: invalidating before it would let a read that starts in
        between store the old rows under the new generation. A rolled-back transaction
        invalidates nothing; one whose end is not seen invalidates anyway, which is safe.
        """

        def noted(
            conn: Connection, _cursor: Any, sql: str, _params: Any, ctx: Any, _many: Any
        ) -> None:
            table = _written_table(ctx, sql)
            if table is not None:
                conn.info.setdefault(_WRITTEN, set()).add(table)

        def rolled_back(conn: Connection) -> None:
            conn.info.pop(_WRITTEN, None)

        def returned(_dbapi_connection: Any, record: Any) -> None:
            written = record.info.pop(_WRITTEN, None)
            if written:
                self.written(written)

        event.listen(engine.sync_engine, "after_cursor_execute", noted)
        event.listen(engine.sync_engine, "rollback", rolled_back)
        event.listen(engine.sync_engine.pool, "checkin", returned)
        _CACHES[engine.sync_engine] = self


_CACHES: "WeakKeyDictionary[Engine, ResponseCache]" = WeakKeyDictionary()
"""The cache that watches each engine, where `cached_query` functions find theirs."""


def cached_query(
    *reads: type[Any] | Table, ttl: float | None = None
) -> Callable[
    [Callable[Concatenate[D, P], Awaitable[T]]], Callable[Concatenate[D, P], Awaitable[T]]
]:
    """Cache the results of an async read function of your own, by its arguments.

    The function takes a session or connection first, then hashable arguments; `reads`
    names the models (or tables) it reads. A write to any of them invalidates its results as
    it does the API's reads, and they live `ttl` seconds (CACHE_TTL by default). Results are
    shared between callers: return values nobody changes (tuples, frozen models, bytes).

        @cached_query(Book, Author)
        async def top_books(session: AsyncSession, author_id: int) -> tuple[Row, ...]: ...
    """
    tables = tuple(sorted({name for each in reads for name in _table_names(each)}))

    def decorate(
        function: Callable[Concatenate[D, P], Awaitable[T]],
    ) -> Callable[Concatenate[D, P], Awaitable[T]]:
        @functools.wraps(function)
        async def call(db: D, /, *args: P.args, **kwargs: P.kwargs) -> T:
            engine = _engine_of(db)
            cache = _CACHES.get(engine) if engine is not None else None
            if cache is None:
                return await function(db, *args, **kwargs)
            key = (function, args, tuple(sorted(kwargs.items())))
            return await cache.remember(key, tables, ttl, lambda: function(db, *args, **kwargs))

        return call

    return decorate


def _engine_of(db: AsyncSession | AsyncConnection) -> Engine | None:
    bind = db if isinstance(db, AsyncConnection) else db.bind
    return bind.sync_engine if bind is not None else None


def _table_names(read: type[Any] | Table) -> set[str]:
    if isinstance(read, Table):
        return {read.name}
    return {table.name for table in inspect(read).tables if isinstance(table, TableClause)}


def tables_read(resource: Resource) -> frozenset[str]:
    """The tables a model's reads select from: its own, and its includes' (with their
    association tables)."""
    clauses: list[Any] = [resource.table, *resource.columns.values()]
    for include in resource.includes.values():
        clauses += include.columns
        for name in ("remote", "secondary", "order_by"):
            clauses += getattr(include, name, ())
        source = getattr(include, "source", None)
        if source is not None:
            clauses.append(source)
    names = set()
    for clause in clauses:
        for found in find_tables(clause, check_columns=True, include_aliases=True):
            table: FromClause = found
            while isinstance(table, Alias):
                table = table.element
            if isinstance(table, TableClause):
                names.add(table.name)
    return frozenset(names)


def _written_table(ctx: Any, sql: str) -> str | None:
    """The table a statement writes, `*` when it may write any, None for a read."""
    if ctx.isinsert or ctx.isupdate or ctx.isdelete:
        table = getattr(ctx.compiled.statement, "table", None)
        return table.name if isinstance(table, TableClause) else _EVERY_TABLE
    words = sql.split(None, 1)
    if not words or words[0].upper() in _READS:
        return None
    return _EVERY_TABLE


class CacheMiddleware:
    """Serves a model's cached reads; stores the `200`s of the rest."""

    def __init__(
        self,
        app: ASGIApp,
        cache: ResponseCache,
        *,
        server_timing: bool,
        observe: Callable[[Scope, str], None] = lambda _scope, _outcome: None,
    ) -> None:
        self.app = app
        self.cache = cache
        self.server_timing = server_timing
        self.observe = observe
        """Told each cached read's outcome: hit-l1, hit-l2, coalesced or miss (metrics)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cached = self.cache.match(scope["path"]) if scope["method"] == "GET" else None
        if cached is None:
            if self.cache.redis is None:
                await self.app(scope, receive, send)
            else:
                await self._publishing(scope, receive, send)
            return
        # What metrics label a read the router never sees with.
        scope["route_template"] = cached.path if scope["path"] == cached.path else cached.row_route
        key = _key(scope)
        entry = self.cache.get(key, cached)
        if entry is not None:
            self.cache.stats.hits += 1
            await self._send(scope, send, entry, "hit-l1")
            return
        entry = await self.cache.joined(key, cached)
        if entry is not None:
            self.cache.stats.coalesced += 1
            await self._send(scope, send, entry, "coalesced")
            return
        done = self.cache.start(key, cached)
        entry = None
        try:
            stamp, entry = await self.cache.shared(key, cached)
            if entry is not None:
                self.cache.stats.redis_hits += 1
                await self._send(scope, send, entry, "hit-l2")
                return
            entry = await self._read(scope, receive, send, cached)
        finally:
            self.cache.finish(key, cached, done, entry)
        if entry is not None and stamp is not None:
            await self.cache.share(key, stamp, entry)

    async def _read(
        self, scope: Scope, receive: Receive, send: Send, cached: CachedPath
    ) -> Entry | None:
        """Run the read and send its response; its entry when it is a complete `200`."""
        self.cache.stats.misses += 1
        self.observe(scope, "miss")
        generation = cached.generation
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        complete = False

        async def keep(message: Message) -> None:
            nonlocal status, headers, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (name, value) for name, value in message["headers"] if name != b"server-timing"
                ]
                if self.server_timing:
                    message["headers"] = [
                        *message["headers"],
                        (b"server-timing", b'cache;desc="miss"'),
                    ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, keep)
        if status != 200 or not complete:
            return None
        return Entry(generation, time.monotonic() + cached.ttl, headers, b"".join(chunks))

    async def _publishing(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run a request that may write; its response waits until Redis has its writes."""
        published: list[asyncio.Task[None]] = []
        token = _PUBLISHING.set(published)

        async def send_when_published(message: Message) -> None:
            if published and message["type"] == "http.response.start":
                await asyncio.wait(published)
                published.clear()
            await send(message)

        try:
            await self.app(scope, receive, send_when_published)
        finally:
            _PUBLISHING.reset(token)

    async def _send(self, scope: Scope, send: Send, entry: Entry, outcome: str) -> None:
        self.observe(scope, outcome)
        headers = entry.headers
        if self.server_timing:
            headers = [*headers, (b"server-timing", f'cache;desc="{outcome}"'.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})


def _key(scope: Scope) -> str:
    """The path and its query, parameters sorted by name (stably: repeated ones keep their
    order, which `sort` depends on)."""
    query: bytes = scope["query_string"]
    if not query:
        return str(scope["path"])
    pairs = sorted(query.split(b"&"), key=lambda pair: pair.partition(b"=")[0])
    return f"{scope['path']}?{b'&'.join(pairs).decode('latin-1')}"
