"""Request and response schemas for tags."""

from typing import Literal

from pydantic import MISSING, AliasChoices, BaseModel, Field

from app.core.filters import CommaList, ListParams, OnceCommaList, ReadParams
from app.core.schemas import Payload
from app.core.types import Int32, Text

TagField = Literal[
    "id",
    "name",
    "books.id",
    "books.title",
    "books.isbn",
    "books.price",
    "books.format",
    "books.pages",
    "books.published_on",
    "books.author_id",
]
TagSort = Literal["id", "-id", "name", "-name"]
TagInclude = Literal["books"]


class TagRead(BaseModel):
    """A tag as writes and includes return it."""

    id: int
    name: str


class TagPartial(BaseModel):
    """A tag as reads return it: its key and the fields `fields=` names.

    Without `fields=`, reads return every field but deferred ones.
    """

    id: int
    name: str | MISSING = MISSING


class TagCreate(Payload):
    name: Text = Field(max_length=50)
    book_ids: list[Int32] = Field(default_factory=list)


class TagUpdate(Payload):
    name: Text | MISSING = Field(default=MISSING, max_length=50)
    book_ids: list[Int32] | MISSING = MISSING


class TagItemQuery(ReadParams):
    fields: CommaList[TagField] | None = None
    include: CommaList[TagInclude] | None = None


class TagQuery(ListParams):
    fields: CommaList[TagField] | None = None
    include: CommaList[TagInclude] | None = None
    sort: OnceCommaList[TagSort] | None = None
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
