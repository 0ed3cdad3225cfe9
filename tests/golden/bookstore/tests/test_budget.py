"""A request over its statement budget is named once; slow statements are logged without
their parameters."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text

from app.core.config import Settings
from app.main import create_app


@asynccontextmanager
async def naive_app(database_url: str, **settings: Any) -> AsyncIterator[AsyncClient]:
    """The app, with an endpoint that runs one statement per row, as an N+1 does."""
    app: FastAPI = create_app(Settings(environment="test", database_url=database_url, **settings))
    engine = app.state.engine

    @app.get("/naive/{rows}")
    async def naive(rows: int) -> dict[str, int]:
        async with engine.connect() as connection:
            for row in range(rows):
                await connection.execute(text("SELECT :secret"), {"secret": f"hunter{row}"})
        return {"rows": rows}

    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
        yield client
    await engine.dispose()


async def test_a_request_over_its_budget_is_named_once(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="app.core.budget")
    async with naive_app(database_url, statement_budget=3) as client:
        assert (await client.get("/naive/3")).status_code == 200
        assert (await client.get("/naive/5")).status_code == 200
    [warning] = [record.getMessage() for record in caplog.records]
    assert warning.startswith(
        "GET /naive/{rows} ran 5 statements, over its budget of 3 (STATEMENT_BUDGET); "
        "the most repeated ran 5 times: SELECT "
    )
    assert warning.endswith("`fe-gen optimize` rule FE103 makes it one query")


async def test_slow_statements_are_logged_without_their_parameters(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="app.core.timing")
    async with naive_app(database_url, slow_statement=1e-9) as client:
        assert (await client.get("/naive/2")).status_code == 200
    logged = [record.getMessage() for record in caplog.records]
    assert len(logged) == 2
    assert all("slow statement" in line and "SELECT " in line for line in logged)
    assert not any("hunter" in line for line in logged)
