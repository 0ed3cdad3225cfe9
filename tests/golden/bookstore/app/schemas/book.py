"""Request and response schemas for books."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import MISSING, AliasChoices, BaseModel, Field

from app.core.filters import CommaList, ListParams, OnceCommaList, ReadParams
from app.core.schemas import Payload
from app.core.types import Below1e8, Int32, Numeric10_2, Text
from app.models import Format

BookField = Literal[
    "id",
    "title",
    "isbn",
    "price",
    "format",
    "pages",
    "published_on",
    "author_id",
    "author.id",
    "author.name",
    "author.email",
    "author.joined_at",
    "tags.id",
    "tags.name",
    "reviews.id",
    "reviews.book_id",
    "reviews.reviewer",
    "reviews.rating",
    "reviews.body",
    "reviews.created_at",
]
BookSort = Literal[
    "id",
    "-id",
    "title",
    "-title",
    "isbn",
    "-isbn",
    "price",
    "-price",
    "format",
    "-format",
    "pages",
    "-pages",
    "published_on",
    "-published_on",
    "author_id",
    "-author_id",
]
BookInclude = Literal["author", "tags", "reviews"]


class BookRead(BaseModel):
    """A book as writes and includes return it."""

    id: int
    title: str
    isbn: str
    price: Decimal
    format: Format
    pages: int | None
    published_on: dt.date | None
    author_id: int


class BookPartial(BaseModel):
    """A book as reads return it: its key and the fields `fields=` names.

    Without `fields=`, reads return every field but deferred ones.
    """

    id: int
    title: str | MISSING = MISSING
    isbn: str | MISSING = MISSING
    price: Decimal | MISSING = MISSING
    format: Format | MISSING = MISSING
    pages: int | MISSING | None = MISSING
    published_on: dt.date | MISSING | None = MISSING
    author_id: int | MISSING = MISSING


class BookCreate(Payload):
    title: Text = Field(max_length=300)
    isbn: Text = Field(max_length=13)
    price: Numeric10_2
    format: Format | MISSING = MISSING
    pages: Int32 | None = None
    published_on: dt.date | None = None
    author_id: Int32
    tag_ids: list[Int32] = Field(default_factory=list)


class BookUpdate(Payload):
    title: Text | MISSING = Field(default=MISSING, max_length=300)
    isbn: Text | MISSING = Field(default=MISSING, max_length=13)
    price: Numeric10_2 | MISSING = MISSING
    format: Format | MISSING = MISSING
    pages: Int32 | MISSING | None = MISSING
    published_on: dt.date | MISSING | None = MISSING
    author_id: Int32 | MISSING = MISSING
    tag_ids: list[Int32] | MISSING = MISSING


class BookItemQuery(ReadParams):
    fields: CommaList[BookField] | None = None
    include: CommaList[BookInclude] | None = None


class BookQuery(ListParams):
    fields: CommaList[BookField] | None = None
    include: CommaList[BookInclude] | None = None
    sort: OnceCommaList[BookSort] | None = None
    id: Int32 | None = Field(default=None, validation_alias=AliasChoices("id", "id__eq"))
    id__ne: Int32 | None = None
    id__gt: Int32 | None = None
    id__gte: Int32 | None = None
    id__lt: Int32 | None = None
    id__lte: Int32 | None = None
    id__in: CommaList[Int32] | None = None
    title: Text | None = Field(default=None, validation_alias=AliasChoices("title", "title__eq"))
    title__ne: Text | None = None
    title__gt: Text | None = None
    title__gte: Text | None = None
    title__lt: Text | None = None
    title__lte: Text | None = None
    title__in: CommaList[Text] | None = None
    title__contains: Text | None = None
    title__icontains: Text | None = None
    title__startswith: Text | None = None
    isbn: Text | None = Field(default=None, validation_alias=AliasChoices("isbn", "isbn__eq"))
    isbn__ne: Text | None = None
    isbn__gt: Text | None = None
    isbn__gte: Text | None = None
    isbn__lt: Text | None = None
    isbn__lte: Text | None = None
    isbn__in: CommaList[Text] | None = None
    isbn__contains: Text | None = None
    isbn__icontains: Text | None = None
    isbn__startswith: Text | None = None
    price: Below1e8 | None = Field(
        default=None, validation_alias=AliasChoices("price", "price__eq")
    )
    price__ne: Below1e8 | None = None
    price__gt: Below1e8 | None = None
    price__gte: Below1e8 | None = None
    price__lt: Below1e8 | None = None
    price__lte: Below1e8 | None = None
    price__in: CommaList[Below1e8] | None = None
    format: Format | None = Field(
        default=None, validation_alias=AliasChoices("format", "format__eq")
    )
    format__ne: Format | None = None
    format__in: CommaList[Format] | None = None
    pages: Int32 | None = Field(default=None, validation_alias=AliasChoices("pages", "pages__eq"))
    pages__ne: Int32 | None = None
    pages__gt: Int32 | None = None
    pages__gte: Int32 | None = None
    pages__lt: Int32 | None = None
    pages__lte: Int32 | None = None
    pages__in: CommaList[Int32] | None = None
    pages__isnull: bool | None = None
    published_on: dt.date | None = Field(
        default=None, validation_alias=AliasChoices("published_on", "published_on__eq")
    )
    published_on__ne: dt.date | None = None
    published_on__gt: dt.date | None = None
    published_on__gte: dt.date | None = None
    published_on__lt: dt.date | None = None
    published_on__lte: dt.date | None = None
    published_on__in: CommaList[dt.date] | None = None
    published_on__isnull: bool | None = None
    author_id: Int32 | None = Field(
        default=None, validation_alias=AliasChoices("author_id", "author_id__eq")
    )
    author_id__ne: Int32 | None = None
    author_id__gt: Int32 | None = None
    author_id__gte: Int32 | None = None
    author_id__lt: Int32 | None = None
    author_id__lte: Int32 | None = None
    author_id__in: CommaList[Int32] | None = None
