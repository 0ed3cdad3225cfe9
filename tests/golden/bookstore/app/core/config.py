"""Settings, read from the environment and `.env` (pydantic-settings)."""

import secrets
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PRESETS: dict[str, dict[str, Any]] = {
    "development": {
        "pool_size": 5,
        "max_overflow": 0,
        "pool_timeout": 10.0,
        "pool_recycle": 1800,
        "pool_ping_after": 10.0,
        "statement_timeout": 0.0,
        "max_page_size": 500,
        "server_timing": True,
        "statement_budget": 10,
        "cache_ttl": 1.0,
        "cache_max_entries": 10_000,
        "cache_max_bytes": 67_108_864,
        "slow_statement": 0.1,
    },
    "production": {
        "pool_size": 20,
        "max_overflow": 0,
        "pool_timeout": 10.0,
        "pool_recycle": 1800,
        "pool_ping_after": 10.0,
        "statement_timeout": 30.0,
        "max_page_size": 500,
        "server_timing": False,
        "statement_budget": 20,
        "cache_ttl": 1.0,
        "cache_max_entries": 10_000,
        "cache_max_bytes": 67_108_864,
        "slow_statement": 0.5,
    },
    "high-traffic": {
        "pool_size": 40,
        "max_overflow": 10,
        "pool_timeout": 3.0,
        "pool_recycle": 1800,
        "pool_ping_after": 10.0,
        "statement_timeout": 5.0,
        "max_page_size": 200,
        "server_timing": False,
        "statement_budget": 20,
        "cache_ttl": 1.0,
        "cache_max_entries": 100_000,
        "cache_max_bytes": 268_435_456,
        "slow_statement": 0.2,
    },
}
"""The defaults of each ENVIRONMENT (the README's table); a setting given overrides its
preset's. `test` takes development's, whose values are the fields' defaults."""
_DEVELOPMENT = PRESETS["development"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production", "high-traffic"] = "development"
    database_url: str = "sqlite+aiosqlite:///./shop.db"
    """`postgresql://...` URLs are served by asyncpg; SQLite by aiosqlite."""
    echo_sql: bool = False

    pool_size: int = Field(default=_DEVELOPMENT["pool_size"], ge=1)
    """PostgreSQL connections kept open. Size it for the requests served at once at busy
    times (per process): a request beyond it waits for a connection, or takes an overflow one."""
    max_overflow: int = Field(default=_DEVELOPMENT["max_overflow"], ge=0)
    """Connections opened beyond POOL_SIZE in a burst. SQLAlchemy closes each as soon as it
    is given back, so under steady load past POOL_SIZE every such request pays a new
    connection (at 32 concurrent gets, 10 + 10 serves half of what 20 + 0 does)."""
    pool_timeout: float = Field(default=_DEVELOPMENT["pool_timeout"], gt=0)
    """Seconds a request waits for a pooled connection; then it is answered 503."""
    pool_recycle: int = _DEVELOPMENT["pool_recycle"]
    pool_ping_after: float = Field(default=_DEVELOPMENT["pool_ping_after"], ge=0)
    """Seconds a pooled PostgreSQL connection may sit idle before it is pinged when lent
    (0: at every checkout). A read on a connection that died anyway runs once more."""
    statement_timeout: float = Field(default=_DEVELOPMENT["statement_timeout"], ge=0)
    """Seconds PostgreSQL lets a statement of the app run before it cancels it (0: no limit);
    `migrate` runs without it."""

    page_size: int = Field(default=50, ge=1)
    max_page_size: int = Field(default=_DEVELOPMENT["max_page_size"], ge=1)
    max_bulk_rows: int = Field(default=1000, ge=1)
    max_related: int = Field(default=100, ge=1)
    """Rows a to-many include serves at most per row (`<include>_more` says if there are more):
    `/authors?include=books` must not send ten thousand books per author."""

    postgres_json: bool = True
    """On PostgreSQL, lists and gets run one statement whose result is the response's JSON
    (core/postgres.py); off, they read rows and write the JSON in Python, as on SQLite."""
    cache: bool = True
    """Keep the responses of reads in process (core/cache.py); a write invalidates them."""
    cache_ttl: float = Field(default=_DEVELOPMENT["cache_ttl"], gt=0)
    """Seconds a cached read lives: how stale another process or replica (which doesn't see
    this one's writes) or a write made outside the app may leave it. Exact in the process
    that wrote."""
    cache_ttls: dict[str, float] = {}
    """TTL by model path, overriding CACHE_TTL; 0 leaves a model uncached:
    `CACHE_TTLS='{"/books": 5, "/reviews": 0}'`."""
    cache_max_entries: int = Field(default=_DEVELOPMENT["cache_max_entries"], ge=1)
    cache_max_bytes: int = Field(default=_DEVELOPMENT["cache_max_bytes"], ge=1)
    redis_url: str | None = None
    """`redis://host:6379/0`: share cached reads between processes and replicas
    (core/cache_redis.py). Without it each process caches for itself."""
    redis_timeout: float = Field(default=0.25, gt=0)
    """Seconds a request waits for Redis before it does without."""
    cache_redis_ttl: float = Field(default=60.0, gt=0)
    """Seconds a read lives in Redis: exact for writes through the app, the bound on how
    stale a write made outside it (psql, another service) leaves a read."""
    cache_redis_prefix: str = "shop"
    """Begins the app's keys in Redis: apps sharing one Redis need prefixes of their own."""
    server_timing: bool = _DEVELOPMENT["server_timing"]
    """Send a Server-Timing header with the request's database time and statement count."""
    statement_budget: int = Field(default=_DEVELOPMENT["statement_budget"], ge=1)
    """Statements a request may run before a warning names it (core/budget.py)."""
    slow_statement: float = Field(default=_DEVELOPMENT["slow_statement"], ge=0)
    """Seconds from which a statement is logged, with its SQL (0: none)."""
    health_timeout: float = Field(default=2.0, gt=0)
    """Seconds each readiness check (core/health.py) may take before it counts as failed."""
    migrate_on_startup: bool = True
    """Run `migrate` (core/migrate.py) at start-up: of replicas starting together on
    PostgreSQL one migrates, the others wait for it. Off, migrate as a release step."""
    migrate_timeout: float = Field(default=60.0, gt=0)
    """Seconds `migrate` waits for another process's migration before it gives up."""
    create_tables: bool = False
    """Create the tables the migrations lack at start-up, without a migration: a convenience
    while developing models, refused in production."""
    cursor_secret: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(32)))
    """Signs pagination cursors. Set it in production, so that cursors survive restarts and
    work across replicas."""

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, given: Any) -> Any:
        """The ENVIRONMENT's preset under the settings given."""
        if not isinstance(given, dict):
            return given
        return PRESETS.get(given.get("environment", "development"), _DEVELOPMENT) | given

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accept the usual `postgresql://` and `sqlite://` URLs; serve them with async drivers."""
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                url = "postgresql+asyncpg://" + url.removeprefix(prefix)
        if url.startswith("sqlite://"):
            url = "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            # Not echoed: the value may hold a password.
            raise ValueError("is not a database URL (postgresql://... or sqlite:///...)") from None
        if backend not in ("postgresql", "sqlite"):
            raise ValueError(f"must be a postgresql:// or sqlite:// URL, not {backend}")
        return url

    @model_validator(mode="after")
    def _production(self) -> "Settings":
        if self.environment in ("production", "high-traffic"):
            if "cursor_secret" not in self.model_fields_set:
                raise ValueError(f"CURSOR_SECRET must be set in {self.environment}")
            if self.create_tables:
                raise ValueError("CREATE_TABLES is for development only: migrate the database")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The settings of the environment; a bad one stops the app with one line naming it."""
    try:
        return Settings()
    except ValidationError as error:
        raise SystemExit(f"invalid settings: {_describe(error)}") from None


def _describe(error: ValidationError) -> str:
    """`CURSOR_SECRET must be set in production; PAGE_SIZE: Input should be ...`"""
    problems = []
    for each in error.errors():
        setting = "_".join(str(part) for part in each["loc"]).upper()
        message = each["msg"].removeprefix("Value error, ")
        problems.append(f"{setting}: {message}" if setting else message)
    return "; ".join(problems)
