"""Request and response schemas for reviews."""

import datetime as dt
from typing import Literal

from pydantic import MISSING, AliasChoices, BaseModel, Field

from app.core.filters import CommaList, ListParams, OnceCommaList, ReadParams
from app.core.schemas import Payload
from app.core.types import Int32, Text, UtcDatetime

ReviewField = Literal[
    "id",
    "book_id",
    "reviewer",
    "rating",
    "body",
    "created_at",
    "book.id",
    "book.title",
    "book.isbn",
    "book.price",
    "book.format",
    "book.pages",
    "book.published_on",
    "book.author_id",
]
ReviewSort = Literal[
    "id",
    "-id",
    "book_id",
    "-book_id",
    "reviewer",
    "-reviewer",
    "rating",
    "-rating",
    "body",
    "-body",
    "created_at",
    "-created_at",
]
ReviewInclude = Literal["book"]


class ReviewRead(BaseModel):
    """A review as writes and includes return it."""

    id: int
    book_id: int
    reviewer: str
    rating: int
    body: str | None
    created_at: dt.datetime


class ReviewPartial(BaseModel):
    """A review as reads return it: its key and the fields `fields=` names.

    Without `fields=`, reads return every field but deferred ones.
    """

    id: int
    book_id: int | MISSING = MISSING
    reviewer: str | MISSING = MISSING
    rating: int | MISSING = MISSING
    body: str | MISSING | None = MISSING
    created_at: dt.datetime | MISSING = MISSING


class ReviewCreate(Payload):
    book_id: Int32
    reviewer: Text = Field(max_length=100)
    rating: Int32
    body: Text | None = None
    created_at: UtcDatetime | MISSING = MISSING


class ReviewUpdate(Payload):
    book_id: Int32 | MISSING = MISSING
    reviewer: Text | MISSING = Field(default=MISSING, max_length=100)
    rating: Int32 | MISSING = MISSING
    body: Text | MISSING | None = MISSING
    created_at: UtcDatetime | MISSING = MISSING


class ReviewItemQuery(ReadParams):
    fields: CommaList[ReviewField] | None = None
    include: CommaList[ReviewInclude] | None = None


class ReviewQuery(ListParams):
    fields: CommaList[ReviewField] | None = None
    include: CommaList[ReviewInclude] | None = None
    sort: OnceCommaList[ReviewSort] | None = None
    id: Int32 | None = Field(default=None, validation_alias=AliasChoices("id", "id__eq"))
    id__ne: Int32 | None = None
    id__gt: Int32 | None = None
    id__gte: Int32 | None = None
    id__lt: Int32 | None = None
    id__lte: Int32 | None = None
    id__in: CommaList[Int32] | None = None
    book_id: Int32 | None = Field(
        default=None, validation_alias=AliasChoices("book_id", "book_id__eq")
    )
    book_id__ne: Int32 | None = None
    book_id__gt: Int32 | None = None
    book_id__gte: Int32 | None = None
    book_id__lt: Int32 | None = None
    book_id__lte: Int32 | None = None
    book_id__in: CommaList[Int32] | None = None
    reviewer: Text | None = Field(
        default=None, validation_alias=AliasChoices("reviewer", "reviewer__eq")
    )
    reviewer__ne: Text | None = None
    reviewer__gt: Text | None = None
    reviewer__gte: Text | None = None
    reviewer__lt: Text | None = None
    reviewer__lte: Text | None = None
    reviewer__in: CommaList[Text] | None = None
    reviewer__contains: Text | None = None
    reviewer__icontains: Text | None = None
    reviewer__startswith: Text | None = None
    rating: Int32 | None = Field(
        default=None, validation_alias=AliasChoices("rating", "rating__eq")
    )
    rating__ne: Int32 | None = None
    rating__gt: Int32 | None = None
    rating__gte: Int32 | None = None
    rating__lt: Int32 | None = None
    rating__lte: Int32 | None = None
    rating__in: CommaList[Int32] | None = None
    body: Text | None = Field(default=None, validation_alias=AliasChoices("body", "body__eq"))
    body__ne: Text | None = None
    body__gt: Text | None = None
    body__gte: Text | None = None
    body__lt: Text | None = None
    body__lte: Text | None = None
    body__in: CommaList[Text] | None = None
    body__contains: Text | None = None
    body__icontains: Text | None = None
    body__startswith: Text | None = None
    body__isnull: bool | None = None
    created_at: UtcDatetime | None = Field(
        default=None, validation_alias=AliasChoices("created_at", "created_at__eq")
    )
    created_at__ne: UtcDatetime | None = None
    created_at__gt: UtcDatetime | None = None
    created_at__gte: UtcDatetime | None = None
    created_at__lt: UtcDatetime | None = None
    created_at__lte: UtcDatetime | None = None
    created_at__in: CommaList[UtcDatetime] | None = None
