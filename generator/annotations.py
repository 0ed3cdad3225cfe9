"""Python annotations for column types in generated schemas, and the imports they need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fe_gen.generator.imports import Imports
from fe_gen.generator.ir import ColumnType, TypeFamily, TypeRef

Purpose = Literal["read", "write"]

COMPARISON = ("eq", "ne", "gt", "gte", "lt", "lte", "in")
_OPERATORS: dict[TypeFamily, tuple[str, ...]] = {
    "integer": COMPARISON,
    "float": COMPARISON,
    "decimal": COMPARISON,
    "date": COMPARISON,
    "datetime": COMPARISON,
    "time": COMPARISON,
    "interval": COMPARISON,
    "string": (*COMPARISON, "contains", "icontains", "startswith"),
    "uuid": ("eq", "ne", "in"),
    "enum": ("eq", "ne", "in"),
    "boolean": ("eq", "ne"),
}
_UNSORTABLE: frozenset[TypeFamily] = frozenset({"json", "binary", "array", "other"})


# PostgreSQL types that compare as values but are not text to match (no LIKE on inet).
_ADDRESS_TYPES = frozenset({"INET", "CIDR", "MACADDR", "MACADDR8"})


def is_address(column_type: ColumnType) -> bool:
    return column_type.sql.upper() in _ADDRESS_TYPES


def operators(column_type: ColumnType, nullable: bool) -> tuple[str, ...]:
    """Filter operators that suit a column: comparisons, string matching, null tests.

    JSON columns have none: SQLAlchemy stores None as JSON `null`, which SQL's IS NULL
    doesn't see, and equality of JSON documents differs between databases. Arrays have
    `contains` (all of the given values, `@>`); full-text vectors and other opaque types
    have no filters.
    """
    if is_address(column_type):
        found: tuple[str, ...] = ("eq", "ne", "in")
    elif column_type.family == "array":
        found = ("contains",) if column_type.item and column_type.item.family in _OPERATORS else ()
    else:
        found = _OPERATORS.get(column_type.family, ())
    return (*found, "isnull") if nullable and column_type.family != "json" else found


def sortable(column_type: ColumnType) -> bool:
    return column_type.family not in _UNSORTABLE


@dataclass(frozen=True)
class TypeNamer:
    """Turns column types into annotations, recording the imports they need."""

    package: str
    """The generated import package (`app`)."""
    models_modules: dict[str, str]
    """Where each of the user's modules is imported from in the generated project."""

    def annotation(self, column_type: ColumnType, imports: Imports, purpose: Purpose) -> str:
        family = column_type.family
        if family == "array":
            item = column_type.item
            inner = self.annotation(item, imports, purpose) if item else "Any"
            if not item:
                imports.name("typing", "Any")
            return f"list[{inner}]"
        if family == "enum" and column_type.enum is not None:
            if column_type.enum.python_class is not None:
                return self._class(column_type.enum.python_class, imports)
            imports.name("typing", "Literal")
            return "Literal[" + ", ".join(_string(value) for value in column_type.enum.values) + "]"
        if family == "datetime":
            if column_type.timezone and purpose == "write":
                imports.name(f"{self.package}.core.types", "UtcDatetime")
                return "UtcDatetime"
            imports.module("datetime", "dt")
            return "dt.datetime"
        if family in ("date", "time", "interval"):
            imports.module("datetime", "dt")
            return {"date": "dt.date", "time": "dt.time", "interval": "dt.timedelta"}[family]
        simple = {"integer": "int", "float": "float", "string": "str", "boolean": "bool"}
        if family in simple:
            return simple[family]
        if family == "decimal":
            imports.name("decimal", "Decimal")
            return "Decimal"
        if family == "uuid":
            imports.name("uuid", "UUID")
            return "UUID"
        if family == "json":
            imports.name("pydantic", "JsonValue")
            return "JsonValue"
        if is_address(column_type):
            return "str"
        if family == "binary":
            imports.name(f"{self.package}.core.types", "Base64Bytes")
            return "Base64Bytes"
        return self._other(column_type, imports)

    def _other(self, column_type: ColumnType, imports: Imports) -> str:
        python = column_type.python
        if python is not None and python.module == "builtins":
            return python.name
        if python is not None and python.module in ("ipaddress", "pathlib"):
            imports.name(python.module, python.name)
            return python.name
        imports.name("typing", "Any")
        return "Any"

    def _class(self, ref: TypeRef, imports: Imports) -> str:
        """Import a user's class (an enum, or the outer class of a nested one)."""
        top, dot, rest = ref.name.partition(".")
        return imports.bind(self.module_of(ref.module), top) + dot + rest

    def callable(self, ref: TypeRef, imports: Imports) -> str:
        """Import a function or class to call (a builtin needs no import)."""
        if ref.module == "builtins":
            return ref.name
        if ref.module == "datetime":
            imports.module("datetime", "dt")
            return f"dt.{ref.name}"
        return self._class(ref, imports)

    def module_of(self, module: str) -> str:
        """Where the generated project imports a module of the user's from."""
        return self.models_modules.get(module, module)


def _string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
