"""Liveness and readiness, for a load balancer or an orchestrator.

`/health` (liveness) answers as long as the process serves: it never
touches the database, whose outage would otherwise get every replica restarted.
`/health/ready` (readiness) runs its checks at once, each given
HEALTH_TIMEOUT seconds: the database answers and has the models' tables, and Redis answers
when REDIS_URL is set. 200 when all pass, else 503 naming what failed:
`{"status": "unavailable", "checks": {"database": ...}}`. Without Redis the app serves, from
the database and the cache in process: 200, `{"status": "degraded", ...}`, naming it.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

from fastapi import APIRouter, Request, Response
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.responses import json_response
from app.core.startup import missing_tables

Check = Callable[[], Awaitable[None]]
"""A readiness check: returns when what it checks is ready, raises saying why not."""

router = APIRouter(include_in_schema=False)


@router.get("/health")
async def live() -> Response:
    """Liveness: the process serves."""
    return json_response({"status": "ok"})


@router.get("/health/ready")
async def ready(request: Request) -> Response:
    """Readiness: every check passed in time."""
    readiness: Readiness = request.app.state.readiness
    failures = await readiness.failures()
    checks = {name: failures.get(name, "ok") for name in readiness.checks}
    if not failures.keys() <= readiness.degrading:
        return json_response({"status": "unavailable", "checks": checks}, status_code=503)
    return json_response({"status": "degraded" if failures else "ready", "checks": checks})


class Readiness:
    """The named checks of readiness, and how long each may take. Those `degrading` fail
    without making the app unready: it serves without what they check, slower."""

    def __init__(
        self,
        checks: Mapping[str, Check],
        *,
        timeout: float,
        degrading: Mapping[str, Check] | None = None,
    ) -> None:
        self.checks = {**checks, **(degrading or {})}
        self.degrading = set(degrading or ())
        self.timeout = timeout

    async def failures(self) -> dict[str, str]:
        """Why each check that failed failed, in one line."""
        results = await asyncio.gather(*(self._run(check) for check in self.checks.values()))
        return {name: result for name, result in zip(self.checks, results, strict=True) if result}

    async def _run(self, check: Check) -> str | None:
        # A task of its own, so that the answer doesn't wait for a cancelled check to clean up
        # (closing a connection to a server that doesn't answer takes its own timeout).
        task = asyncio.ensure_future(check())
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            task.cancel()
            task.add_done_callback(_retrieve)
            return f"no answer within {self.timeout:g} s"
        error = task.exception()
        if error is None:
            return None
        reason = str(getattr(error, "orig", None) or error).strip()
        return reason.splitlines()[0] if reason else type(error).__name__


def _retrieve(task: "asyncio.Future[None]") -> None:
    """Take a cancelled check's outcome, so that asyncio doesn't log it as never retrieved."""
    if not task.cancelled():
        task.exception()


def database_check(engine: AsyncEngine, metadata: Sequence[MetaData]) -> Check:
    """The database answers `SELECT 1` and has the models' tables."""

    async def check() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            missing = await connection.run_sync(missing_tables, metadata)
        if missing:
            raise LookupError(f"no table {', '.join(missing)}")

    return check
