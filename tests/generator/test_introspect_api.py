"""introspect() called in-process on bare objects: registries, metadata filter, edge cases."""

from __future__ import annotations

import types

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.introspect import Found, find_targets, introspect, registry_of
from fe_gen.generator.ir import Diagnostic, OrderBy, Source, TypeRef

SOURCE = Source(kind="module", location="inline", module="inline")


class Base(DeclarativeBase):
    pass


class Shelf(Base):
    __tablename__ = "api_shelves"

    id: Mapped[int] = mapped_column(primary_key=True)
    books: Mapped[list[Book]] = relationship(order_by=lambda: func.lower(Book.title))
    sorted_books: Mapped[list[Book]] = relationship(
        order_by=lambda: [Book.title, Book.id.desc()], viewonly=True
    )


class Book(Base):
    __tablename__ = "api_books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    shelf_id: Mapped[int] = mapped_column(ForeignKey("api_shelves.id"))


other = registry()
notes = Table("api_notes", other.metadata, Column("id", Integer, primary_key=True))


class Note:
    pass


other.map_imperatively(Note, notes)


def test_introspect_a_base_class() -> None:
    schema = introspect([Base], source=SOURCE)
    assert [m.name for m in schema.models] == ["Shelf", "Book"]
    assert schema.bases == (TypeRef(__name__, "Base"),)


def test_introspect_several_targets_keeps_their_order() -> None:
    schema = introspect([other, Book, Base], source=SOURCE)
    assert [m.name for m in schema.models] == ["Note", "Shelf", "Book"]


def test_metadata_keeps_only_its_tables() -> None:
    schema = introspect([Base, other], source=SOURCE, metadata=other.metadata)
    assert [m.name for m in schema.models] == ["Note"]


def test_order_by_expression_is_left_out_with_a_warning() -> None:
    schema = introspect([Base], source=SOURCE)
    assert schema.model("Shelf").relationships[0].order_by == ()
    assert schema.diagnostics == (
        Diagnostic(
            "warning", "Shelf", "books", "order_by is not plain columns of the target; left out"
        ),
    )


def test_order_by_several_columns() -> None:
    rel = introspect([Base], source=SOURCE).model("Shelf").relationships[1]
    assert rel.order_by == (OrderBy("title"), OrderBy("id", descending=True))


@pytest.mark.parametrize(
    ("value", "found"),
    [
        pytest.param(Base, True, id="declarative-base"),
        pytest.param(Book, True, id="mapped-class"),
        pytest.param(other, True, id="registry"),
        pytest.param(types.SimpleNamespace(Model=Base), True, id="flask-like-db"),
        pytest.param(MetaData(), False, id="metadata-alone"),
        pytest.param(str, False, id="plain-class"),
        pytest.param(42, False, id="plain-value"),
    ],
)
def test_registry_of(value: object, found: bool) -> None:
    assert (registry_of(value) is not None) == found


def test_find_targets_in_namespace_order() -> None:
    module = types.ModuleType("inline_models")
    module.Book = Book  # type: ignore[attr-defined]
    module.title = "not a model"  # type: ignore[attr-defined]
    module.reg = other  # type: ignore[attr-defined]
    assert find_targets([module]) == [
        Found(TypeRef("inline_models", "Book"), Book),
        Found(TypeRef("inline_models", "reg"), other),
    ]


def test_no_targets_is_an_error() -> None:
    with pytest.raises(FeGenError, match=r"^no mapped classes found in inline: "):
        introspect([], source=SOURCE)


class OtherBase(DeclarativeBase):
    pass


class Sticker(OtherBase):
    __tablename__ = "api_stickers"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey(Book.id))
    book: Mapped[Book] = relationship(Book)


def test_relationship_to_a_class_left_out_is_not_includable() -> None:
    schema = introspect([OtherBase], source=SOURCE)
    assert schema.model("Sticker").relationships[0].includable is False
    assert schema.diagnostics == (
        Diagnostic(
            "warning",
            "Sticker",
            "book",
            "target Book is not among the models read; it cannot be included",
        ),
    )


def test_two_classes_with_one_name_are_an_error() -> None:
    twin = registry()
    table = Table("api_twin_books", twin.metadata, Column("id", Integer, primary_key=True))
    duplicate = type("Book", (), {"__module__": "elsewhere"})
    twin.map_imperatively(duplicate, table)
    with pytest.raises(FeGenError) as caught:
        introspect([Base, twin], source=SOURCE)
    assert caught.value.message == (
        f"two mapped classes are named Book: {__name__}.Book and elsewhere.Book; rename one, "
        "or pick one Base with module:Base"
    )
