"""The cache's second layer: responses shared by the app's processes and replicas in Redis.

A read that misses in process (core/cache.py) looks here before it runs. An entry is the
response's bytes, stamped with the versions of the tables the read depends on as they were
before it ran; a committed write INCRs the versions of its tables before the response that
made it is sent. One MGET fetches an entry with the current versions, and a stamp that
differs is a miss: once a write has returned, no replica is served a read it changed. Keys
are never listed or deleted; old entries age out after CACHE_REDIS_TTL seconds, which also
bounds how stale a write made outside the app (psql, another service) leaves them.

Redis speeds the app up and is never needed for it to answer: each call has REDIS_TIMEOUT
seconds. The first failure logs one warning; requests then do without Redis (reads go to
the database, the tables written are remembered) while a task tries it every second. When
it answers again, those tables' versions move on before any entry is read, the in-process
cache is emptied, and one line says so.

A layer of its own over redis-py rather than cashews: what it needs is an MGET, a SET and a
pipeline of INCRs, and cashews' tags and client-side mode (which under RESP3 never delivers
invalidations with redis-py 8) would put bookkeeping on every hit.
"""

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import TypeVar, cast

import orjson
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

T = TypeVar("T")
Headers = list[tuple[bytes, bytes]]

_log = logging.getLogger(__name__)


def connect(url: str, *, timeout: float) -> "Redis":
    """A client that gives up after `timeout` seconds and doesn't retry: a request waits for
    Redis at most that long, and then does without it."""
    return Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


class RedisLayer:
    def __init__(
        self,
        client: "Redis",
        *,
        prefix: str,
        ttl: float,
        timeout: float,
        retry_after: float = 1.0,
        on_reconnect: Callable[[], None] = lambda: None,
    ) -> None:
        self.client = client
        self.prefix = prefix
        """Of the tables' versions, shared by every deploy of the app."""
        self.namespace = prefix
        """Of the entries: the app sets it to one per API shape, so that a deploy whose
        responses differ never reads another's."""
        self.ttl_ms = max(int(ttl * 1000), 1)
        self.timeout = timeout
        self.retry_after = retry_after
        self.on_reconnect = on_reconnect
        self.errors = 0
        """Calls that failed or timed out."""
        self._recovery: asyncio.Task[None] | None = None
        """Trying Redis again after it failed, while requests do without it."""
        self._unpublished: set[str] = set()
        """Tables written while Redis was away, whose versions move on when it is back."""

    async def lookup(
        self, key: str, tables: Sequence[str]
    ) -> tuple[bytes | None, tuple[Headers, bytes] | None]:
        """The entry of `key`, if its stamp is current, and the current stamp of `tables`
        (None when Redis can't tell: then nothing is stored)."""
        if not self.available:
            return None, None
        names = [self._entry(key), *(self._version(table) for table in tables)]
        values = await self._call(self.client.mget(names))
        if values is None:
            return None, None
        found, *versions = cast(list[bytes | None], values)
        if None in versions:
            # A version never written, or lost (evicted): start it at a random number, so
            # that an entry stamped before a loss can't match it again.
            missing = [
                table for table, version in zip(tables, versions, strict=True) if version is None
            ]
            versions = await self._call(self._start_versions(missing, tables)) or [None]
            if None in versions:
                return None, None
            found = None
        stamp = b",".join(cast(list[bytes], versions))
        if found is None:
            return stamp, None
        stored, headers, body = found.split(b"\n", 2)
        if stored != stamp:
            return stamp, None
        return stamp, (
            [
                (name.encode("latin-1"), value.encode("latin-1"))
                for name, value in orjson.loads(headers)
            ],
            body,
        )

    async def store(self, key: str, stamp: bytes, headers: Headers, body: bytes) -> None:
        """Keep a response read after `stamp` was current, for CACHE_REDIS_TTL seconds."""
        if not self.available:
            return
        encoded = orjson.dumps(
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]
        )
        await self._call(
            self.client.set(self._entry(key), b"\n".join((stamp, encoded, body)), px=self.ttl_ms)
        )

    async def publish(self, tables: Collection[str]) -> None:
        """Move on the versions of `tables`: entries stamped before are never served again."""
        if not self.available or await self._call(self._incr(tables)) is None:
            self._unpublished.update(tables)

    async def ping(self) -> None:
        """Raise unless Redis answers (a readiness check, core/health.py)."""
        async with asyncio.timeout(self.timeout):
            await self.client.ping()

    async def close(self) -> None:
        if self._recovery is not None:
            self._recovery.cancel()
        await self.client.aclose()

    @property
    def available(self) -> bool:
        """False from a failure until Redis answers again."""
        return self._recovery is None

    async def _call(self, command: Awaitable[T]) -> T | None:
        """`command`'s result, or None if Redis failed or took longer than REDIS_TIMEOUT."""
        try:
            async with asyncio.timeout(self.timeout):
                return await command
        except (RedisError, OSError, TimeoutError) as error:
            self.errors += 1
            if self._recovery is None:
                _log.warning(
                    "Redis failed (%s); serving from the database and the cache in process, "
                    "trying it again every %g s",
                    str(error) or type(error).__name__,
                    self.retry_after,
                )
                self._recovery = asyncio.get_running_loop().create_task(self._recover())
            return None

    async def _recover(self) -> None:
        """Try Redis every `retry_after` seconds; when it answers, move on the versions of
        the tables written meanwhile, then use it again."""
        down_since = time.monotonic()
        while True:
            await asyncio.sleep(self.retry_after)
            # Writes made during a try add to `_unpublished`: the loop ends once none is left.
            tables = set(self._unpublished)
            try:
                async with asyncio.timeout(self.timeout):
                    await (self._incr(tables) if tables else self.client.ping())
            except (RedisError, OSError, TimeoutError):
                self.errors += 1
                continue
            self._unpublished -= tables
            if not self._unpublished:
                break
        self._recovery = None
        self.on_reconnect()
        _log.warning(
            "Redis answers again after %.1f s; the cache in process was emptied",
            time.monotonic() - down_since,
        )

    async def _incr(self, tables: Collection[str]) -> list[int]:
        async with self.client.pipeline(transaction=False) as pipeline:
            for table in tables:
                pipeline.incr(self._version(table))
            results: list[int] = await pipeline.execute()
            return results

    async def _start_versions(
        self, missing: Collection[str], tables: Sequence[str]
    ) -> list[bytes | None]:
        """Start the versions `missing`; the versions of `tables` then."""
        async with self.client.pipeline(transaction=False) as pipeline:
            for table in missing:
                pipeline.set(self._version(table), secrets.randbits(48), nx=True)
            pipeline.mget([self._version(table) for table in tables])
            *_, versions = await pipeline.execute()
            return cast(list[bytes | None], versions)

    def _entry(self, key: str) -> str:
        return f"{self.namespace}:r:{key}"

    def _version(self, table: str) -> str:
        return f"{self.prefix}:v:{table}"
