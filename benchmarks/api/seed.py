"""Seed PostgreSQL with the benchmark's bookstore, deterministically and once.

1,000 authors (a bio of about 1 KB each), 50 tags and 20,000 books (a description of about
2 KB, a price, a date, an author and 3 distinct tags each) by default, all drawn from one
fixed random seed, so every run and every machine measures the same rows. The tables are
created from `models.py` and filled with COPY. A database already holding a seed of the
same size is left as it is: only the rows the create endpoints added are deleted.

    python -m benchmarks.api.seed --database-url postgresql://postgres@127.0.0.1:5432/fe_gen_bench
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateIndex, CreateTable

from benchmarks.api.models import Base

SEED = 20261202
TAGS_PER_BOOK = 3
# fmt: off
_WORDS = (
    "river", "stone", "quiet", "garden", "lantern", "harbor", "winter", "copper", "meadow",
    "signal", "orchard", "thunder", "compass", "velvet", "ember", "glacier", "paper",
    "island", "marble", "shadow", "silver", "hollow", "canyon", "feather", "autumn",
    "beacon", "cedar", "delta", "falcon", "granite", "horizon", "ivory", "juniper",
    "kettle", "lagoon", "mirror", "nectar", "oasis", "pepper", "quartz", "raven", "saffron",
    "timber", "umber", "valley", "willow", "yonder", "zephyr",
)
# fmt: on


@dataclass(frozen=True)
class Size:
    """How many rows the seed holds."""

    authors: int = 1000
    books: int = 20000
    tags: int = 50

    def __post_init__(self) -> None:
        if self.tags < TAGS_PER_BOOK or self.authors < 1 or self.books < 1:
            raise ValueError(f"a seed needs authors, books and at least 3 tags: {self}")


SMOKE = Size(authors=20, books=300, tags=10)


def asyncpg_dsn(url: str) -> str:
    """A `postgresql://` DSN for asyncpg from any PostgreSQL SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _text(rng: random.Random, approx_bytes: int) -> str:
    words: list[str] = []
    length = 0
    while length < approx_bytes:
        word = rng.choice(_WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words).capitalize() + "."


Rows = list[tuple[object, ...]]


def _rows(size: Size) -> tuple[Rows, Rows, Rows, Rows]:
    """Authors, tags, books and links, the same for the same `size`."""
    rng = random.Random(SEED)
    authors: Rows = [
        (
            i,
            f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()}",
            f"author{i}@example.com",
            _text(rng, 1000),
        )
        for i in range(1, size.authors + 1)
    ]
    tags: Rows = [(i, f"tag-{i:02d}") for i in range(1, size.tags + 1)]
    start = dt.date(1950, 1, 1)
    books: Rows = []
    links: Rows = []
    for i in range(1, size.books + 1):
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 5))).title()
        books.append(
            (
                i,
                title,
                f"978{i:010d}",
                _text(rng, 2000),
                Decimal(rng.randint(500, 9999)) / 100,
                start + dt.timedelta(days=rng.randint(0, 27000)),
                rng.randint(1, size.authors),
            )
        )
        links.extend((i, tag) for tag in sorted(rng.sample(range(1, size.tags + 1), 3)))
    return authors, tags, books, links


def _ddl() -> list[str]:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    statements = []
    for table in Base.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)))
        statements.extend(
            str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes
        )
    return statements


async def _seeded(connection: asyncpg.Connection, size: Size) -> bool:
    exists = await connection.fetchval("SELECT to_regclass('bench_seed') IS NOT NULL")
    if not exists:
        return False
    found = await connection.fetchrow("SELECT authors, books, tags, seed FROM bench_seed")
    return found is not None and tuple(found) == (size.authors, size.books, size.tags, SEED)


async def reset(connection: asyncpg.Connection, size: Size) -> None:
    """Delete the books the create endpoints added, so each measurement starts alike."""
    await connection.execute("DELETE FROM books WHERE id > $1", size.books)


async def reset_connection(url: str, size: Size) -> None:
    """`reset` over a connection of its own."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await reset(connection, size)
    finally:
        await connection.close()


async def seed(url: str, size: Size) -> bool:
    """Seed the database at `url` unless it holds this seed already; True if it seeded."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        if await _seeded(connection, size):
            await reset(connection, size)
            return False
        authors, tags, books, links = _rows(size)
        async with connection.transaction():
            await connection.execute(
                "DROP TABLE IF EXISTS bench_seed, book_tags, books, tags, authors CASCADE"
            )
            for statement in _ddl():
                await connection.execute(statement)
            await connection.copy_records_to_table("authors", records=authors)
            await connection.copy_records_to_table("tags", records=tags)
            await connection.copy_records_to_table("books", records=books)
            await connection.copy_records_to_table("book_tags", records=links)
            for table in ("authors", "tags", "books"):
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            await connection.execute(
                "CREATE TABLE bench_seed (authors int, books int, tags int, seed int)"
            )
            await connection.execute(
                "INSERT INTO bench_seed VALUES ($1, $2, $3, $4)",
                size.authors,
                size.books,
                size.tags,
                SEED,
            )
        await connection.execute("VACUUM ANALYZE")
        return True
    finally:
        await connection.close()


async def create_database(url: str) -> None:
    """Create the database `url` names if it doesn't exist (through the server's `postgres`)."""
    parsed = make_url(url)
    name = parsed.database
    admin = asyncpg_dsn(parsed.set(database="postgres").render_as_string(hide_password=False))
    connection = await asyncpg.connect(admin)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fe_gen_bench"
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny seed, as --smoke runs use")
    args = parser.parse_args()
    size = SMOKE if args.smoke else Size()
    asyncio.run(create_database(args.database_url))
    seeded = asyncio.run(seed(args.database_url, size))
    print(f"{'seeded' if seeded else 'already seeded'}: {size}")


if __name__ == "__main__":
    main()
