"""Names in the generated code: modules, variables, URL paths, field names.

Every name fe-gen invents is checked here against Python keywords, the names generated
modules already use, and the attributes pydantic's BaseModel reserves.
"""

from __future__ import annotations

import keyword
import re

from pydantic import BaseModel
from sqlalchemy.sql.base import ReadOnlyColumnCollection

# Query parameters every list endpoint has; a column of the same name is filtered with
# `<name>__eq` instead of `<name>`.
PAGING_PARAMETERS = frozenset({"sort", "fields", "include", "limit", "offset", "cursor", "count"})

_RESERVED_ATTRIBUTES = frozenset(dir(BaseModel)) | frozenset(keyword.kwlist)
_COLUMN_COLLECTION_ATTRIBUTES = frozenset(dir(ReadOnlyColumnCollection))

# Names a generated query module defines or imports at module level.
_QUERY_MODULE_NAMES = frozenset(
    {
        "MISSING",
        "RESOURCE",
        "RETURNING",
        "Any",
        "AsyncConnection",
        "AsyncSession",
        "ManyToMany",
        "ManyToOne",
        "OneToMany",
        "Row",
        "table_of",
        "Sequence",
        "delete",
        "insert",
        "listing",
        "select",
        "update",
        "utc",
    }
)


# Local names of generated functions: a table variable or key parameter never takes them.
FUNCTION_LOCALS = frozenset(
    {
        "body",
        "changes",
        "connection",
        "found",
        "item",
        "items",
        "key",
        "pager",
        "query",
        "read",
        "result",
        "row",
        "rows",
        "session",
        "settings",
        "statement",
        "value",
        "values",
    }
)


def parameter(name: str) -> str:
    """A key field's name as a function parameter, clear of the functions' own locals."""
    name = identifier(name)
    return f"{name}_key" if name in FUNCTION_LOCALS else name


# Names a model's module can't take: `tests/test_core.py` and `schemas/responses.py` are
# the project's own.
_TAKEN_MODULES = frozenset({"core", "responses"})


def module_name(model: str) -> str:
    """The module of a model's schemas, queries, routes and tests: `book`, `import_`.

    Its snake-case name, unless that is a Python keyword (`from app.api.routes import
    import` would not parse) or a name the project already uses: then a trailing underscore.
    """
    name = snake_case(model)
    return f"{name}_" if keyword.iskeyword(name) or name in _TAKEN_MODULES else name


def snake_case(name: str) -> str:
    """`BookTag` -> `book_tag`, `HTTPLog` -> `http_log`."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return re.sub(r"\W+", "_", name).strip("_").lower() or "model"


def url_path(table: str, schema: str | None) -> str:
    """`book_tags` -> `/book-tags`; a schema prefixes the path (`/inventory/items`)."""
    parts = [schema, table] if schema else [table]
    return "/" + "/".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts)


def singular(word: str) -> str:
    """A plain-English singular, good enough for names such as `tag_ids`."""
    for plural, single in (
        ("ies", "y"),
        ("sses", "ss"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
    ):
        if word.endswith(plural) and len(word) > len(plural):
            return word[: -len(plural)] + single
    if word.endswith("s") and not word.endswith("ss") and len(word) > 1:
        return word[:-1]
    return word


def identifier(name: str) -> str:
    """A valid Python identifier made from `name`."""
    name = re.sub(r"\W", "_", name)
    if not name or name[0].isdigit():
        name = "_" + name
    return name + "_" if keyword.iskeyword(name) else name


def table_variable(table: str, schema: str | None, taken: set[str]) -> str:
    """A module-level name for a table in a query module: `books`, `inventory_items`."""
    base = identifier(f"{schema}_{table}" if schema else table)
    name = base
    if name in _QUERY_MODULE_NAMES or name in FUNCTION_LOCALS or name in taken:
        name = f"{base}_table"
    counter = 2
    while name in taken:
        name, counter = f"{base}_table{counter}", counter + 1
    taken.add(name)
    return name


def schema_attribute(name: str) -> str:
    """The attribute name a pydantic schema uses for an API field called `name`.

    Fields that would shadow a BaseModel attribute (`json`, `copy`, `schema` ...) get a
    trailing underscore, and private ones (`_id`) lose their leading underscores, which
    pydantic refuses; both keep their API name as an alias.
    """
    if name.startswith("_"):
        return name.lstrip("_") + "_"
    return f"{name}_" if name in _RESERVED_ATTRIBUTES else name


def column_reference(table_var: str, column_name: str) -> str:
    """`books.c.title`, or `books.c["from"]` when attribute access would not work."""
    if (
        column_name.isidentifier()
        and not keyword.iskeyword(column_name)
        and column_name not in _COLUMN_COLLECTION_ATTRIBUTES
        and not column_name.startswith("_")
    ):
        return f"{table_var}.c.{column_name}"
    return f"{table_var}.c[{_quoted(column_name)}]"


def _quoted(text: str) -> str:
    """A double-quoted Python string literal, as ruff format writes them."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
