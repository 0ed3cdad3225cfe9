"""Schemas shared by every model's endpoints; they document the responses in OpenAPI."""

from typing import Generic, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = None
    """Pass as `cursor` to get the next page; null on the last page."""
    total: int | None = None
    """The number of matching rows, when asked for with `count=true`."""


class Problem(BaseModel):
    detail: str
