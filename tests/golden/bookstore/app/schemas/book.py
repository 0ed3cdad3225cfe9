"""Request and response schemas for books."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import MISSING, AliasChoices, BaseModel, Field

from app.core.filters import CommaList, ListParams, ReadParams
from app.models import Format

BookField = Literal["id", "title", "isbn", "price", "format", "pages", "published_on", "author_id"]
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
    id: int
    title: str
    isbn: str
    price: Decimal
    format: Format
    pages: int | None
    published_on: dt.date | None
    author_id: int


class BookCreate(BaseModel):
    title: str = Field(max_length=300)
    isbn: str = Field(max_length=13)
    price: Decimal = Field(max_digits=10, decimal_places=2)
    format: Format | MISSING = MISSING
    pages: int | None = None
    published_on: dt.date | None = None
    author_id: int
    tag_ids: list[int] = []


class BookUpdate(BaseModel):
    title: str | MISSING = Field(default=MISSING, max_length=300)
    isbn: str | MISSING = Field(default=MISSING, max_length=13)
    price: Decimal | MISSING = Field(default=MISSING, max_digits=10, decimal_places=2)
    format: Format | MISSING = MISSING
    pages: int | MISSING | None = MISSING
    published_on: dt.date | MISSING | None = MISSING
    author_id: int | MISSING = MISSING
    tag_ids: list[int] | MISSING = MISSING


class BookItemQuery(ReadParams):
    fields: CommaList[BookField] | None = None
    include: CommaList[BookInclude] | None = None


class BookQuery(ListParams):
    fields: CommaList[BookField] | None = None
    include: CommaList[BookInclude] | None = None
    sort: CommaList[BookSort] | None = None
    id: int | None = Field(default=None, validation_alias=AliasChoices("id", "id__eq"))
    id__ne: int | None = None
    id__gt: int | None = None
    id__gte: int | None = None
    id__lt: int | None = None
    id__lte: int | None = None
    id__in: CommaList[int] | None = None
    title: str | None = Field(default=None, validation_alias=AliasChoices("title", "title__eq"))
    title__ne: str | None = None
    title__gt: str | None = None
    title__gte: str | None = None
    title__lt: str | None = None
    title__lte: str | None = None
    title__in: CommaList[str] | None = None
    title__contains: str | None = None
    title__icontains: str | None = None
    title__startswith: str | None = None
    isbn: str | None = Field(default=None, validation_alias=AliasChoices("isbn", "isbn__eq"))
    isbn__ne: str | None = None
    isbn__gt: str | None = None
    isbn__gte: str | None = None
    isbn__lt: str | None = None
    isbn__lte: str | None = None
    isbn__in: CommaList[str] | None = None
    isbn__contains: str | None = None
    isbn__icontains: str | None = None
    isbn__startswith: str | None = None
    price: Decimal | None = Field(default=None, validation_alias=AliasChoices("price", "price__eq"))
    price__ne: Decimal | None = None
    price__gt: Decimal | None = None
    price__gte: Decimal | None = None
    price__lt: Decimal | None = None
    price__lte: Decimal | None = None
    price__in: CommaList[Decimal] | None = None
    format: Format | None = Field(
        default=None, validation_alias=AliasChoices("format", "format__eq")
    )
    format__ne: Format | None = None
    format__in: CommaList[Format] | None = None
    pages: int | None = Field(default=None, validation_alias=AliasChoices("pages", "pages__eq"))
    pages__ne: int | None = None
    pages__gt: int | None = None
    pages__gte: int | None = None
    pages__lt: int | None = None
    pages__lte: int | None = None
    pages__in: CommaList[int] | None = None
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
    author_id: int | None = Field(
        default=None, validation_alias=AliasChoices("author_id", "author_id__eq")
    )
    author_id__ne: int | None = None
    author_id__gt: int | None = None
    author_id__gte: int | None = None
    author_id__lt: int | None = None
    author_id__lte: int | None = None
    author_id__in: CommaList[int] | None = None
