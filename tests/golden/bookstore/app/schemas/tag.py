"""Request and response schemas for tags."""

from typing import Literal

from pydantic import MISSING, AliasChoices, BaseModel, Field

from app.core.filters import CommaList, ListParams, ReadParams

TagField = Literal["id", "name"]
TagSort = Literal["id", "-id", "name", "-name"]
TagInclude = Literal["books"]


class TagRead(BaseModel):
    id: int
    name: str


class TagCreate(BaseModel):
    name: str = Field(max_length=50)
    book_ids: list[int] = []


class TagUpdate(BaseModel):
    name: str | MISSING = Field(default=MISSING, max_length=50)
    book_ids: list[int] | MISSING = MISSING


class TagItemQuery(ReadParams):
    fields: CommaList[TagField] | None = None
    include: CommaList[TagInclude] | None = None


class TagQuery(ListParams):
    fields: CommaList[TagField] | None = None
    include: CommaList[TagInclude] | None = None
    sort: CommaList[TagSort] | None = None
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
