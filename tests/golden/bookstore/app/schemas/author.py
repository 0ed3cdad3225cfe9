"""Request and response schemas for authors."""

import datetime as dt
from typing import Literal

from pydantic import MISSING, AliasChoices, BaseModel, Field

from app.core.filters import CommaList, ListParams, ReadParams
from app.core.types import UtcDatetime

AuthorField = Literal["id", "name", "email", "bio", "joined_at"]
AuthorSort = Literal[
    "id", "-id", "name", "-name", "email", "-email", "bio", "-bio", "joined_at", "-joined_at"
]
AuthorInclude = Literal["books"]


class AuthorRead(BaseModel):
    id: int
    name: str
    email: str | None
    bio: str | None = None
    joined_at: dt.datetime


class AuthorCreate(BaseModel):
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    bio: str | None = None
    joined_at: UtcDatetime | MISSING = MISSING


class AuthorUpdate(BaseModel):
    name: str | MISSING = Field(default=MISSING, max_length=200)
    email: str | MISSING | None = Field(default=MISSING, max_length=320)
    bio: str | MISSING | None = MISSING
    joined_at: UtcDatetime | MISSING = MISSING


class AuthorItemQuery(ReadParams):
    fields: CommaList[AuthorField] | None = None
    include: CommaList[AuthorInclude] | None = None


class AuthorQuery(ListParams):
    fields: CommaList[AuthorField] | None = None
    include: CommaList[AuthorInclude] | None = None
    sort: CommaList[AuthorSort] | None = None
    id: int | None = Field(default=None, validation_alias=AliasChoices("id", "id__eq"))
    id__ne: int | None = None
    id__gt: int | None = None
    id__gte: int | None = None
    id__lt: int | None = None
    id__lte: int | None = None
    id__in: CommaList[int] | None = None
    name: str | None = Field(default=None, validation_alias=AliasChoices("name", "name__eq"))
    name__ne: str | None = None
    name__gt: str | None = None
    name__gte: str | None = None
    name__lt: str | None = None
    name__lte: str | None = None
    name__in: CommaList[str] | None = None
    name__contains: str | None = None
    name__icontains: str | None = None
    name__startswith: str | None = None
    email: str | None = Field(default=None, validation_alias=AliasChoices("email", "email__eq"))
    email__ne: str | None = None
    email__gt: str | None = None
    email__gte: str | None = None
    email__lt: str | None = None
    email__lte: str | None = None
    email__in: CommaList[str] | None = None
    email__contains: str | None = None
    email__icontains: str | None = None
    email__startswith: str | None = None
    email__isnull: bool | None = None
    bio: str | None = Field(default=None, validation_alias=AliasChoices("bio", "bio__eq"))
    bio__ne: str | None = None
    bio__gt: str | None = None
    bio__gte: str | None = None
    bio__lt: str | None = None
    bio__lte: str | None = None
    bio__in: CommaList[str] | None = None
    bio__contains: str | None = None
    bio__icontains: str | None = None
    bio__startswith: str | None = None
    bio__isnull: bool | None = None
    joined_at: UtcDatetime | None = Field(
        default=None, validation_alias=AliasChoices("joined_at", "joined_at__eq")
    )
    joined_at__ne: UtcDatetime | None = None
    joined_at__gt: UtcDatetime | None = None
    joined_at__gte: UtcDatetime | None = None
    joined_at__lt: UtcDatetime | None = None
    joined_at__lte: UtcDatetime | None = None
    joined_at__in: CommaList[UtcDatetime] | None = None
