"""Query strings parsed by one pydantic validation, and documented in OpenAPI all the same.

FastAPI reads a query-parameter model field by field in Python on every request, which
for a model with 60 filters costs more than the SQL of a read. `QueryParameters` hands the
parameters a request gave to one `model_validate` (pydantic-core checks the rest), and
documents every field of the model as a query parameter, once, when the app starts.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import AliasChoices, BaseModel, ValidationError

from app.core.errors import invalid
from app.core.listing import Pager
from app.core.reads import Reader

Model = TypeVar("Model", bound=BaseModel)

# FastAPI's own 422, which it documents only for the parameters it reads itself. (The
# schema is there: every app has routes whose path parameters FastAPI validates.)
_INVALID = {
    "description": "Validation Error",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
    },
}


@dataclass(frozen=True, slots=True)
class Read(Generic[Model]):
    """What a read route is given: its query parameters, and the app's reader and pager."""

    query: Model
    reader: Reader
    pager: Pager


class QueryParameters(Generic[Model]):
    """A dependency that gives a read route the request's query parameters as a `model`,
    with the app's reader and pager: one dependency where three would each cost FastAPI a
    tenth of a get's own work.

    A parameter the model declares a list takes every value given (`?id__in=1&id__in=2`);
    any other given twice is a 422, not a silent choice between the two values.
    """

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        schema = model.model_json_schema()
        definitions = schema.get("$defs", {})
        properties = {
            name: _inline(each, definitions) for name, each in schema["properties"].items()
        }
        self.openapi = {
            "parameters": [_parameter(name, each) for name, each in properties.items()],
            "responses": {"422": _INVALID},
        }
        """What OpenAPI says of the parameters: pass it as the route's `openapi_extra`."""
        names = [_names(name, field.validation_alias) for name, field in model.model_fields.items()]
        # The schema names a field by its first name.
        self._lists = frozenset(
            alias for each in names if _is_array(properties[each[0]]) for alias in each
        )

    async def __call__(self, request: Request) -> Read[Model]:
        # async: FastAPI runs a plain `def` dependency in a thread pool.
        state = request.app.state
        return Read(self.parse(request), state.reader, state.pager)

    def parse(self, request: Request) -> Model:
        given = request.query_params
        values: dict[str, Any] = {}
        for name in given:
            items = given.getlist(name)
            if name in self._lists:
                values[name] = items
            elif len(items) > 1:
                raise invalid(("query", name), f"give {name} once", items)
            else:
                values[name] = items[0]
        try:
            return self.model.model_validate(values)
        except ValidationError as error:
            errors = error.errors(include_url=False)
            raise RequestValidationError(
                [{**each, "loc": ("query", *each["loc"])} for each in errors]
            ) from None


def _names(name: str, alias: Any) -> tuple[str, ...]:
    if isinstance(alias, AliasChoices):
        return tuple(str(choice) for choice in alias.choices)
    return (alias,) if isinstance(alias, str) else (name,)


def _is_array(schema: Mapping[str, Any]) -> bool:
    return any(each.get("type") == "array" for each in schema.get("anyOf", [schema]))


def _parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    schema = {
        key: value for key, value in schema.items() if not (key == "default" and value is None)
    }
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if "description" in schema:
        parameter["description"] = schema["description"]
    return parameter


def _inline(schema: Any, definitions: Mapping[str, Any]) -> Any:
    """`schema` with its `$ref`s to the model's `$defs` replaced by what they name (query
    parameters are enums and scalars: nothing refers to itself)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(definitions[schema["$ref"].rpartition("/")[2]], definitions)
        return {key: _inline(value, definitions) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline(each, definitions) for each in schema]
    return schema
