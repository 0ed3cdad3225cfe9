"""The models' tables, as the project was generated from them.

The statements are those `create_tables` runs on each database, frozen: a later change to
the models goes in a revision of its own (`alembic revision --autogenerate -m "..."`).

Revision ID: 0001
Revises:
"""

from alembic import op

from app.core.migrate import MigrationError

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

CREATE: dict[str, tuple[str, ...]] = {
    "postgresql": (
        "CREATE TYPE format AS ENUM ('hardcover', 'paperback', 'ebook')",
        """CREATE TABLE authors (
    id SERIAL NOT NULL,
    name VARCHAR(200) NOT NULL,
    email VARCHAR(320),
    bio TEXT,
    joined_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (email)
)""",
        "CREATE INDEX ix_authors_name ON authors (name)",
        """CREATE TABLE tags (
    id SERIAL NOT NULL,
    name VARCHAR(50) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name)
)""",
        """CREATE TABLE books (
    id SERIAL NOT NULL,
    title VARCHAR(300) NOT NULL,
    isbn VARCHAR(13) NOT NULL,
    price NUMERIC(10, 2) NOT NULL,
    format format NOT NULL,
    pages INTEGER,
    published_on DATE,
    author_id INTEGER NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (isbn),
    FOREIGN KEY(author_id) REFERENCES authors (id) ON DELETE RESTRICT
)""",
        "CREATE INDEX ix_books_author_id ON books (author_id)",
        "CREATE INDEX ix_books_title ON books (title)",
        """CREATE TABLE book_tags (
    book_id INTEGER NOT NULL,
    tag_id INTEGER NOT NULL,
    PRIMARY KEY (book_id, tag_id),
    FOREIGN KEY(book_id) REFERENCES books (id) ON DELETE CASCADE,
    FOREIGN KEY(tag_id) REFERENCES tags (id) ON DELETE CASCADE
)""",
        """CREATE TABLE reviews (
    id SERIAL NOT NULL,
    book_id INTEGER NOT NULL,
    reviewer VARCHAR(100) NOT NULL,
    rating INTEGER NOT NULL,
    body TEXT,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_reviews_book_reviewer UNIQUE (book_id, reviewer),
    FOREIGN KEY(book_id) REFERENCES books (id) ON DELETE CASCADE
)""",
        "CREATE INDEX ix_reviews_book_id ON reviews (book_id)",
    ),
    "sqlite": (
        """CREATE TABLE authors (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(200) NOT NULL,
    email VARCHAR(320),
    bio TEXT,
    joined_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    UNIQUE (email)
)""",
        "CREATE INDEX ix_authors_name ON authors (name)",
        """CREATE TABLE tags (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(50) NOT NULL,
    UNIQUE (name)
)""",
        """CREATE TABLE books (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    title VARCHAR(300) NOT NULL,
    isbn VARCHAR(13) NOT NULL,
    price NUMERIC(10, 2) NOT NULL,
    format VARCHAR(9) NOT NULL,
    pages INTEGER,
    published_on DATE,
    author_id INTEGER NOT NULL,
    UNIQUE (isbn),
    FOREIGN KEY(author_id) REFERENCES authors (id) ON DELETE RESTRICT
)""",
        "CREATE INDEX ix_books_author_id ON books (author_id)",
        "CREATE INDEX ix_books_title ON books (title)",
        """CREATE TABLE book_tags (
    book_id INTEGER NOT NULL,
    tag_id INTEGER NOT NULL,
    PRIMARY KEY (book_id, tag_id),
    FOREIGN KEY(book_id) REFERENCES books (id) ON DELETE CASCADE,
    FOREIGN KEY(tag_id) REFERENCES tags (id) ON DELETE CASCADE
)""",
        """CREATE TABLE reviews (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    book_id INTEGER NOT NULL,
    reviewer VARCHAR(100) NOT NULL,
    rating INTEGER NOT NULL,
    body TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT uq_reviews_book_reviewer UNIQUE (book_id, reviewer),
    FOREIGN KEY(book_id) REFERENCES books (id) ON DELETE CASCADE
)""",
        "CREATE INDEX ix_reviews_book_id ON reviews (book_id)",
    ),
}

DROP: dict[str, tuple[str, ...]] = {
    "postgresql": (
        "DROP TABLE IF EXISTS authors, tags, books, book_tags, reviews CASCADE",
        "DROP TYPE format",
    ),
    "sqlite": (
        "DROP TABLE IF EXISTS reviews",
        "DROP TABLE IF EXISTS book_tags",
        "DROP TABLE IF EXISTS books",
        "DROP TABLE IF EXISTS tags",
        "DROP TABLE IF EXISTS authors",
    ),
}

# The databases fe-gen could not write the statements for, and why.
UNAVAILABLE: dict[str, str] = {}


def upgrade() -> None:
    _run(CREATE)


def downgrade() -> None:
    _run(DROP)


def _run(statements: dict[str, tuple[str, ...]]) -> None:
    # As written: a text() statement would take `:name` in the SQL for a parameter.
    connection = op.get_bind()
    database = connection.dialect.name
    if database not in statements:
        reason = UNAVAILABLE.get(database, "fe-gen writes them for PostgreSQL and SQLite")
        raise MigrationError(
            f"revision 0001 has no statements for {database}: {reason}; write them in "
            "CREATE and DROP of app/migrations/versions/0001_initial.py"
        )
    for statement in statements[database]:
        connection.exec_driver_sql(statement)
