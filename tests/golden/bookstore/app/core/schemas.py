"""Schemas shared by every model's endpoints; they document the responses in OpenAPI."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = None
    """Pass as `cursor` to get the next page; null on the last page."""
    total: int | None = None
    """The number of matching rows, when asked for with `count=true`."""


class Problem(BaseModel):
    detail: str


class Payload(BaseModel):
    """A request body. A key it doesn't know is a 422 naming it, as an unknown query
    parameter is: a misspelt field is never dropped silently."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class RowLinks:
    """OpenAPI links from a response holding a row to the operations on that row, which
    client generators and stateful API tests follow."""

    key: Mapping[str, str]
    """The row's field for each path parameter of the operations."""
    operations: tuple[str, ...]
    creates: Mapping[str, Mapping[str, str | list[str]]] = field(default_factory=dict)
    """Creates of other models the row is a reference for: the row's field for each field
    of their bodies that refers to it (in a list, for a list of ids)."""

    def at(self, row: str = "") -> dict[str, Any]:
        """The `links` of a response whose row is at the JSON pointer `row`."""
        parameters = {name: f"$response.body#{row}/{column}" for name, column in self.key.items()}
        links = {
            operation: {"operationId": operation, "parameters": parameters}
            for operation in self.operations
        }
        for operation, body in self.creates.items():
            request = {mine: _pointer(row, theirs) for mine, theirs in body.items()}
            links[operation] = {"operationId": operation, "requestBody": request}
        return {"links": links}


def _pointer(row: str, field: str | list[str]) -> str | list[str]:
    """The runtime expression of a field of the row (a list of one, for a list of ids)."""
    if isinstance(field, list):
        return [f"$response.body#{row}/{each}" for each in field]
    return f"$response.body#{row}/{field}"
