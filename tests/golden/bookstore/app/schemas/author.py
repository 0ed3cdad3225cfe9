"""Request and response schemas for authors."""

import datetime as dt
from typing import Literal

from pydantic import MISSING, AliasChoices, BaseModel, Field

from app.core.filters import CommaList, ListParams, OnceCommaList, ReadParams
from app.core.schemas import Payload
from app.core.types import Int32, Text, UtcDatetime

AuthorField = Literal[
    "id",
    "name",
    "email",
    "bio",
    "joined_at",
    "books.id",
    "books.title",
    "books.isbn",
    "books.price",
    "books.format",
    "books.pages",
    "books.published_on",
    "books.author_id",
]
AuthorSort = Literal[
    "id", "-id", "name", "-name", "email", "-email", "bio", "-bio", "joined_at", "-joined_at"
]
AuthorInclude = Literal["books"]


class AuthorRead(BaseModel):
    """An author as writes and includes return it."""

    id: int
    name: str
    email: str | None
    joined_at: dt.datetime


class AuthorPartial(BaseModel):
    """An author as reads return it: its key and the fields `fields=` names.

    Without `fields=`, reads return every field but deferred ones.
    """

    id: int
    name: str | MISSING = MISSING
    email: str | MISSING | None = MISSING
    bio: str | MISSING | None = MISSING
    joined_at: dt.datetime | MISSING = MISSING


class AuthorCreate(Payload):
    name: Text = Field(max_length=200)
    email: Text | None = Field(default=None, max_length=320)
    bio: Text | None = None
    joined_at: UtcDatetime | MISSING = MISSING


class AuthorUpdate(Payload):
    name: Text | MISSING = Field(default=MISSING, max_length=200)
    email: Text | MISSING | None = Field(default=MISSING, max_length=320)
    bio: Text | MISSING | None = MISSING
    joined_at: UtcDatetime | MISSING = MISSING


class AuthorItemQuery(ReadParams):
    fields: CommaList[AuthorField] | None = None
    include: CommaList[AuthorInclude] | None = None


class AuthorQuery(ListParams):
    fields: CommaList[AuthorField] | None = None
    include: CommaList[AuthorInclude] | None = None
    sort: OnceCommaList[AuthorSort] | None = None
    id: Int32 | None = Field(default=None, validation_alias=AliasChoices("id", "id__eq"))
    id__ne: Int32 | None = None
    id__gt: Int32 | None = None
    id__gte: Int32 | None = None
    id__lt: Int32 | None = None
    id__lte: Int32 | None = None
    id__in: CommaList[Int32] | None = None
    name: Text | None = Field(default=None, validation_alias=AliasChoices("name", "name__eq"))
    name__ne: Text | None = None
    name__gt: Text | None = None
    name__gte: Text | None = None
    name__lt: Text | None = None
    name__lte: Text | None = None
    name__in: CommaList[Text] | None = None
    name__contains: Text | None = None
    name__icontains: Text | None = None
    name__startswith: Text | None = None
    email: Text | None = Field(default=None, validation_alias=AliasChoices("email", "email__eq"))
    email__ne: Text | None = None
    email__gt: Text | None = None
    email__gte: Text | None = None
    email__lt: Text | None = None
    email__lte: Text | None = None
    email__in: CommaList[Text] | None = None
    email__contains: Text | None = None
    email__icontains: Text | None = None
    email__startswith: Text | None = None
    email__isnull: bool | None = None
    bio: Text | None = Field(default=None, validation_alias=AliasChoices("bio", "bio__eq"))
    bio__ne: Text | None = None
    bio__gt: Text | None = None
    bio__gte: Text | None = None
    bio__lt: Text | None = None
    bio__lte: Text | None = None
    bio__in: CommaList[Text] | None = None
    bio__contains: Text | None = None
    bio__icontains: Text | None = None
    bio__startswith: Text | None = None
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
