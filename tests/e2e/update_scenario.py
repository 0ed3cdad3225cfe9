"""The `fe-gen update` scenario: hand edits to a generated bookstore, then its models change.

Shared by the fast tests (tests/generator/test_update.py) and the end-to-end ones, which
also run the updated project's suite, ruff and mypy.
"""

from __future__ import annotations

from pathlib import Path

# Hand edits: (file, text fe-gen generated, the owner's text).
EDITS = [
    (
        "app/api/routes/book.py",
        '    """Get one book."""',
        '    """Get one book, by its id (edited by hand)."""',
    ),
    (
        "app/schemas/book.py",
        "class BookCreate(Payload):\n    title: Text = Field(max_length=300)",
        "class BookCreate(Payload):\n"
        '    title: Text = Field(max_length=300, description="The title on the cover")',
    ),
]
HAND_WRITTEN_TEST = """

async def test_hand_written_fields_read_back(client: AsyncClient) -> None:
    row = await factories.create_book(client)
    response = await client.get(f"/books/{row['id']}", params={"fields": "title"})
    assert response.json()["title"] == row["title"]
"""
# Files of the removed model, which update reports and leaves in place.
REVIEW_FILES = [
    "app/api/routes/review.py",
    "app/queries/review.py",
    "app/schemas/review.py",
    "tests/test_review.py",
]
PUBLISHER_FILES = [name.replace("review", "publisher") for name in REVIEW_FILES]

_PUBLISHER = """

class Publisher(Base):
    __tablename__ = "publishers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    books: Mapped[list[Book]] = relationship(back_populates="publisher")
"""


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def edit_by_hand(project: Path) -> None:
    """Edit a route, a schema and a test as the project's owner might."""
    for name, old, new in EDITS:
        replace(project / name, old, new)
    test = project / "tests" / "test_book.py"
    test.write_text(test.read_text() + HAND_WRITTEN_TEST)


def change_models(project: Path) -> None:
    """Book gains a column and a relationship (to a new model, Publisher); Review goes."""
    models = project / "app" / "models.py"
    text = models.read_text()
    models.write_text(text[: text.index("class Review(Base):")].rstrip() + "\n" + _PUBLISHER)
    replace(models, '    reviews: Mapped[list[Review]] = relationship(back_populates="book")\n', "")
    replace(
        models,
        '        ForeignKey("authors.id", ondelete="RESTRICT"), index=True\n    )\n',
        '        ForeignKey("authors.id", ondelete="RESTRICT"), index=True\n    )\n'
        "    subtitle: Mapped[str | None] = mapped_column(String(200))\n"
        "    publisher_id: Mapped[int | None] = mapped_column(\n"
        # Named: SQLite alters a table by copying it, which needs its constraints' names.
        '        ForeignKey("publishers.id", name="fk_books_publisher_id"), index=True\n'
        "    )\n",
    )
    replace(
        models,
        '    tags: Mapped[list[Tag]] = relationship(secondary=book_tags, back_populates="books")\n',
        '    tags: Mapped[list[Tag]] = relationship(secondary=book_tags, back_populates="books")\n'
        '    publisher: Mapped[Publisher | None] = relationship(back_populates="books")\n',
    )


def tree(project: Path) -> dict[str, bytes]:
    """Every file of the project but caches and databases, by relative path."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and ".mypy_cache" not in path.parts
        and ".ruff_cache" not in path.parts
        and path.suffix != ".db"
    }
