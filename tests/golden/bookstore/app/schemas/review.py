"""Request and response schemas for reviews."""

import datetime as dt
from typing import Literal

from pydantic import MISSING, AliasChoices, BaseModel, Field

from app.core.filters import CommaList, ListParams, ReadParams
from app.core.types import UtcDatetime

ReviewField = Literal["id", "book_id", "reviewer", "rating", "body", "created_at"]
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
    id: int
    book_id: int
    reviewer: str
    rating: int
    body: str | None
    created_at: dt.datetime


class ReviewCreate(BaseModel):
    book_id: int
    reviewer: str = Field(max_length=100)
    rating: int
    body: str | None = None
    created_at: UtcDatetime | MISSING = MISSING


class ReviewUpdate(BaseModel):
    book_id: int | MISSING = MISSING
    reviewer: str | MISSING = Field(default=MISSING, max_length=100)
    rating: int | MISSING = MISSING
    body: str | MISSING | None = MISSING
    created_at: UtcDatetime | MISSING = MISSING


class ReviewItemQuery(ReadParams):
    fields: CommaList[ReviewField] | None = None
    include: CommaList[ReviewInclude] | None = None


class ReviewQuery(ListParams):
    fields: CommaList[ReviewField] | None = None
    include: CommaList[ReviewInclude] | None = None
    sort: CommaList[ReviewSort] | None = None
    id: int | None = Field(default=None, validation_alias=AliasChoices("id", "id__eq"))
    id__ne: int | None = None
    id__gt: int | None = None
    id__gte: int | None = None
    id__lt: int | None = None
    id__lte: int | None = None
    id__in: CommaList[int] | None = None
    book_id: int | None = Field(
        default=None, validation_alias=AliasChoices("book_id", "book_id__eq")
    )
    book_id__ne: int | None = None
    book_id__gt: int | None = None
    book_id__gte: int | None = None
    book_id__lt: int | None = None
    book_id__lte: int | None = None
    book_id__in: CommaList[int] | None = None
    reviewer: str | None = Field(
        default=None, validation_alias=AliasChoices("reviewer", "reviewer__eq")
    )
    reviewer__ne: str | None = None
    reviewer__gt: str | None = None
    reviewer__gte: str | None = None
    reviewer__lt: str | None = None
    reviewer__lte: str | None = None
    reviewer__in: CommaList[str] | None = None
    reviewer__contains: str | None = None
    reviewer__icontains: str | None = None
    reviewer__startswith: str | None = None
    rating: int | None = Field(default=None, validation_alias=AliasChoices("rating", "rating__eq"))
    rating__ne: int | None = None
    rating__gt: int | None = None
    rating__gte: int | None = None
    rating__lt: int | None = None
    rating__lte: int | None = None
    rating__in: CommaList[int] | None = None
    body: str | None = Field(default=None, validation_alias=AliasChoices("body", "body__eq"))
    body__ne: str | None = None
    body__gt: str | None = None
    body__gte: str | None = None
    body__lt: str | None = None
    body__lte: str | None = None
    body__in: CommaList[str] | None = None
    body__contains: str | None = None
    body__icontains: str | None = None
    body__startswith: str | None = None
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
