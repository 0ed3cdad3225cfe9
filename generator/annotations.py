"""Python annotations for column types in generated schemas, and the imports they need."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from fe_gen.generator.imports import Imports
from fe_gen.generator.ir import ColumnType, TypeFamily, TypeRef

Purpose = Literal["read", "write"]
"""`read`: what responses hold. `write`: what clients send (bodies, filters, keys), bounded
to what the column can store, so that a value it can't is a 422 before any SQL runs."""

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


# Values without an offset (a datetime or time column without time zone) and durations:
# JSON Schema's formats for them (RFC 3339) require an offset, or know no fractions or sign.
_LOCAL: dict[TypeFamily, str] = {
    "datetime": "LocalDatetime",
    "time": "LocalTime",
    "interval": "Duration",
}
_ADDRESSES = {
    "INET": "InetAddress",
    "CIDR": "CidrNetwork",
    "MACADDR": "MacAddress",
    "MACADDR8": "MacAddress8",
}
# Opaque PostgreSQL types that read their values from text, as the driver sends a str.
_TEXT_INPUT = frozenset({"TSVECTOR", "TSQUERY"})
# Integers each SQL type holds (SQLite holds 64 bits whatever the declared type); an integer
# type fe-gen does not know is bounded as SQLite bounds it.
_INTEGERS = {"SMALLINT": "Int16", "INTEGER": "Int32", "INT": "Int32", "BIGINT": "Int64"}
# PostgreSQL's REAL, FLOAT(1) to FLOAT(24), is 4 bytes: larger values overflow it.
_FLOAT32 = re.compile(r"REAL|FLOAT\((\d|1\d|2[0-4])\)")
# What the generated `core/types.py` defines for client values, by the name schemas use.
VALUE_TYPES = (
    "Int16",
    "Int32",
    "Int64",
    "Float",
    "Float32",
    "Text",
    "TextKey",
    "JsonData",
    "Duration",
    "LocalDatetime",
    "LocalTime",
    "InetAddress",
    "CidrNetwork",
    "MacAddress",
    "MacAddress8",
)


@dataclass(frozen=True)
class TypeNamer:
    """Turns column types into annotations, recording the imports they need."""

    package: str
    """The generated import package (`app`)."""
    models_modules: dict[str, str]
    """Where each of the user's modules is imported from in the generated project."""
    used: set[str] = field(default_factory=set)
    """The value types of `core/types.py` the annotations use, which it must define."""
    numerics: set[tuple[int, int]] = field(default_factory=set)
    """(precision, scale) of the `Numeric<p>_<s>` types the annotations use."""
    magnitudes: set[int] = field(default_factory=set)
    """Exponents of the `Below1e<n>` types the annotations use."""

    def annotation(self, column_type: ColumnType, imports: Imports, purpose: Purpose) -> str:
        family = column_type.family
        if family == "array":
            item = column_type.item
            if item is None:
                imports.name("typing", "Any")
                return "list[Any]"
            inner = self.annotation(item, imports, purpose)
            return f"list[{self.sized(inner, item, imports) if purpose == 'write' else inner}]"
        if family == "enum" and column_type.enum is not None:
            if column_type.enum.python_class is not None:
                return self._class(column_type.enum.python_class, imports)
            imports.name("typing", "Literal")
            return "Literal[" + ", ".join(_string(value) for value in column_type.enum.values) + "]"
        if family == "datetime" and column_type.timezone:
            if purpose == "write":
                return self.value_type("UtcDatetime", imports)
            imports.module("datetime", "dt")
            return "dt.datetime"
        if family in _LOCAL:
            return self.value_type(_LOCAL[family], imports)
        if family == "date":
            imports.module("datetime", "dt")
            return "dt.date"
        if is_address(column_type):
            if purpose == "write":
                return self.value_type(_ADDRESSES[column_type.sql.upper()], imports)
            return "str"
        if purpose == "write" and (bounded := _bounded(column_type)):
            return self.value_type(bounded, imports)
        simple = {"integer": "int", "float": "float", "string": "str", "boolean": "bool"}
        if family in simple:
            return simple[family]
        if family == "decimal":
            digits = _digits(column_type)
            if purpose == "write" and digits is not None:
                self.numerics.add(digits)
                return self.value_type("Numeric{}_{}".format(*digits), imports)
            imports.name("decimal", "Decimal")
            return "Decimal"
        if family == "uuid":
            imports.name("uuid", "UUID")
            return "UUID"
        if family == "json":
            imports.name("pydantic", "JsonValue")
            return "JsonValue"
        if family == "binary":
            return self.value_type("Base64Bytes", imports)
        return self._other(column_type, imports)

    def compared(self, column_type: ColumnType, imports: Imports) -> str:
        """The annotation of a filter value: for a NUMERIC(p, s) column, any number below
        its largest in magnitude, finer digits too (they compare exactly)."""
        exponent = whole_digits(column_type)
        if column_type.family != "decimal" or exponent is None:
            return self.annotation(column_type, imports, "write")
        self.magnitudes.add(exponent)
        return self.value_type(f"Below1e{exponent}", imports)

    def sized(self, annotation: str, column_type: ColumnType, imports: Imports) -> str:
        """`annotation`, limited to the length of a string type: for the items of a list,
        where `Field(max_length=...)` on the field would limit the list."""
        if column_type.family != "string" or not column_type.length:
            return annotation
        imports.name("typing", "Annotated")
        imports.name("pydantic", "Field")
        return f"Annotated[{annotation}, Field(max_length={column_type.length})]"

    def key(self, column_type: ColumnType, imports: Imports) -> str:
        """The annotation of a key's value a client sends: text that a URL can address."""
        annotation = self.annotation(column_type, imports, "write")
        return self.value_type("TextKey", imports) if annotation == "Text" else annotation

    def value_type(self, name: str, imports: Imports) -> str:
        """Import one of the generated `core/types.py` names, which it then defines."""
        self.used.add(name)
        imports.name(f"{self.package}.core.types", name)
        return name

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


def past_range(column_type: ColumnType) -> int:
    """The smallest integer an integer column can't hold: its type's largest, plus one."""
    bits = {"Int16": 16, "Int32": 32, "Int64": 64}[_INTEGERS.get(column_type.sql.upper(), "Int64")]
    limit: int = 2 ** (bits - 1)
    return limit


def whole_digits(column_type: ColumnType) -> int | None:
    """How many digits a NUMERIC(p, s) column holds before the decimal point."""
    digits = _digits(column_type)
    return None if digits is None else digits[0] - digits[1]


def writable(column_type: ColumnType) -> bool:
    """Whether a client can write the column from JSON: not an opaque type (a POINT, a
    user-defined type) whose driver wants a Python value fe-gen can't tell."""
    if column_type.family == "array":
        return column_type.item is None or writable(column_type.item)
    return (
        column_type.family != "other"
        or column_type.python is not None
        or column_type.sql.upper() in _TEXT_INPUT
    )


def _bounded(column_type: ColumnType) -> str | None:
    """The `core/types.py` type that bounds a client's value to what the column stores."""
    family = column_type.family
    if family == "integer":
        return _INTEGERS.get(column_type.sql.upper(), "Int64")
    if family == "float":
        return "Float32" if _FLOAT32.fullmatch(column_type.sql.upper()) else "Float"
    if (
        family == "string" and not is_address(column_type)
    ) or column_type.sql.upper() in _TEXT_INPUT:
        return "Text"
    if family == "json":
        return "JsonData"
    return None


def _digits(column_type: ColumnType) -> tuple[int, int] | None:
    """(precision, scale) of a NUMERIC column that has them (a scale of 0 when omitted)."""
    precision, scale = column_type.precision, column_type.scale or 0
    if not precision or not 0 <= scale <= precision:
        return None
    return precision, scale


def _string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
