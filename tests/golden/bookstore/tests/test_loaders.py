"""Batched loaders (core/loaders.py): the loads of one tick are one statement, in key order."""

import asyncio
from typing import Any

from sqlalchemy import event

from app.api.loaders import Loaders
from app.core import loaders
from tests import factories
from tests.conftest import serve_app


def counted(engine: Any) -> list[str]:
    """The statements `engine` runs from now on."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    return seen


async def test_concurrent_loads_are_one_statement_in_key_order(database_url: str) -> None:
    async with serve_app(database_url) as (app, client):
        rows = [await factories.create_author(client) for _ in range(4)]
        first, second, third, gone = (row["id"] for row in rows)
        assert (await client.delete(f"/authors/{gone}")).status_code == 204
        wanted = [third, gone, first, *[first, second, third] * 30]
        statements = counted(app.state.engine)
        loader = Loaders(app.state.engine).author
        loaded = await asyncio.gather(*(loader.load(key) for key in wanted))
        assert len(statements) == 1
        assert [row and row["id"] for row in loaded] == [third, None, *wanted[2:]]


async def test_keys_past_a_chunk_are_read_in_chunks_where_there_is_no_any(
    database_url: str,
) -> None:
    async with serve_app(database_url) as (app, _client):
        statements = counted(app.state.engine)
        wanted = list(range(-1, -2 * loaders.CHUNK - 2, -1))
        assert await Loaders(app.state.engine).author.load_many(wanted) == [None] * len(wanted)
        assert len(statements) == (1 if app.state.engine.dialect.name == "postgresql" else 3)


async def test_rows_referencing_a_key_load_as_lists_in_key_order(database_url: str) -> None:
    async with serve_app(database_url) as (app, client):
        first = await factories.create_book(client)
        second = await factories.create_book(client, author_id=first["author_id"])
        other = await factories.create_book(client)
        wanted = [other["author_id"], first["author_id"], -1]
        statements = counted(app.state.engine)
        loaded = await Loaders(app.state.engine).books_by_author_id.load_many(wanted)
        assert len(statements) == 1
        assert [{row["id"] for row in rows} for rows in loaded] == [
            {other["id"]},
            {first["id"], second["id"]},
            set(),
        ]
