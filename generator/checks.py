"""What a table's CHECK constraints allow one column to hold, where their SQL says it plainly.

The tests' sample values must pass the constraints, or the database rejects every row the
factories make. fe-gen reads the common shapes of a condition on one column, joined by AND:
`jsonb_typeof(labels) = 'object'`, `status IN ('draft', 'done')`, `char_length(code)
BETWEEN 3 AND 8`, `score >= 0`, `code LIKE 'G-%'`. A model with any other condition gets no
tests that need its rows, and the tests say which condition.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from fe_gen.generator.ir import CheckConstraint


@dataclass(frozen=True)
class Limits:
    """What the constraints allow a column's values to be; None where they don't say."""

    json_type: str | None = None
    """`object`, `array`, `string`, `number` or `boolean`, for a JSON column."""
    json_strings: bool = False
    """The values of a JSON object or array are strings (as the samples' are)."""
    choices: tuple[str | int, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    """Inclusive bounds of a number (`score > 0` gives a minimum just above 0)."""
    shortest: int | None = None
    longest: int | None = None
    prefix: str | None = None
    """What a text must start with (`code LIKE 'G-%'`)."""

    @property
    def bounded(self) -> bool:
        """Whether the samples can't simply grow with `n`."""
        return bool(self.choices) or self.maximum is not None or self.longest is not None


NO_LIMITS = Limits()


def limits(checks: Iterable[CheckConstraint], column: str) -> Limits:
    """What the constraints `checks` allow the column named `column` (its SQL name)."""
    found = NO_LIMITS
    for check in checks:
        for term in _terms(check.sql):
            found = _read(term, _name(column), found)
    return found


def unread(checks: Iterable[CheckConstraint], columns: Iterable[str]) -> str | None:
    """The first condition of `checks` that fe-gen can't read for any of `columns` (their SQL
    names), as `name (sql)`; samples may break it, so tests needing rows can't be made."""
    names = [_name(column) for column in columns]
    for check in checks:
        for term in _terms(check.sql):
            if _harmless(term) or any(_read(term, name, NO_LIMITS) != NO_LIMITS for name in names):
                continue
            label = f"{check.name} " if check.name else ""
            return f"{label}({' '.join(term.split())})"
    return None


def _harmless(term: str) -> bool:
    """A condition every sample meets: `x IS NOT NULL`, `x <> ''` (samples are never empty)."""
    return bool(
        re.fullmatch(r"[\w.\"]+\s+IS\s+NOT\s+NULL", term, re.IGNORECASE)
        or re.fullmatch(r"[\w.\"]+\s*(?:<>|!=)\s*''", term)
    )


def postgresql_only(check: CheckConstraint) -> str | None:
    """What a constraint created on every dialect uses that only PostgreSQL has (a function,
    the `::` cast), which makes SQLite refuse the table or its rows; None if nothing."""
    if check.dialect is not None:
        return None
    if "::" in re.sub(r"'(?:[^']|'')*'", "", check.sql):
        return "the :: cast"
    called = re.search(rf"\b({'|'.join(_POSTGRESQL_FUNCTIONS)})\s*\(", check.sql, re.IGNORECASE)
    return f"{called.group(1).lower()}()" if called else None


# Functions that PostgreSQL constraints use and SQLite doesn't have.
_POSTGRESQL_FUNCTIONS = (
    *("jsonb_typeof", "json_typeof", "jsonb_path_exists", "jsonb_path_match"),
    *("jsonb_array_length", "char_length", "character_length", "array_length", "cardinality"),
)


def _terms(sql: str) -> list[str]:
    """The conditions joined by a top-level AND (not the AND of BETWEEN ... AND ...)."""
    terms, depth, start, between = [], 0, 0, False
    for match in re.finditer(r"\(|\)|'(?:[^']|'')*'|\bBETWEEN\b|\bAND\b", sql, re.IGNORECASE):
        token = match.group().upper()
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif depth == 0 and token == "BETWEEN":
            between = True
        elif depth == 0 and token == "AND" and between:
            between = False
        elif depth == 0 and token == "AND":
            terms.append(sql[start : match.start()])
            start = match.end()
    terms.append(sql[start:])
    return [_unwrap(term) for term in terms]


def _unwrap(term: str) -> str:
    term = term.strip()
    while term.startswith("(") and term.endswith(")") and _balanced(term[1:-1]):
        term = term[1:-1].strip()
    return term


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _name(column: str) -> str:
    """A pattern matching the column's name, quoted or not, and optionally qualified."""
    return rf'(?:\w+\.)?(?:"{re.escape(column)}"|\b{re.escape(column)}\b)'


_NUMBER = r"(-?\d+(?:\.\d+)?)"
_COMPARE = r"(>=|<=|>|<|=)"
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "="}


def _read(term: str, column: str, found: Limits) -> Limits:
    flags = re.IGNORECASE
    # `score >= 0 OR score IS NULL`: samples are never NULL, so the first condition holds.
    either = re.fullmatch(rf"(.+)\s+OR\s+{column}\s+IS\s+NULL", term, flags | re.DOTALL)
    either = either or re.fullmatch(rf"{column}\s+IS\s+NULL\s+OR\s+(.+)", term, flags | re.DOTALL)
    if either:
        for each in _terms(_unwrap(either.group(1))):
            found = _read(each, column, found)
        return found
    json_type = re.fullmatch(rf"jsonb?_typeof\(\s*{column}\s*\)\s*=\s*'(\w+)'", term, flags)
    if json_type:
        return replace(found, json_type=json_type.group(1).lower())
    like = re.fullmatch(rf"{column}\s+LIKE\s+'((?:[^'%_]|'')*)%'", term, flags)
    if like:
        return replace(found, prefix=like.group(1).replace("''", "'"))
    # `NOT jsonb_path_exists(labels, '$.* ? (@.type() != "string")')`: values are strings.
    every = r"""'\$(?:\.\*|\[\*\])\s*\?\s*\(\s*@\.type\(\)\s*(?:!=|<>)\s*"string"\s*\)'"""
    strings = rf"NOT\s+jsonb?_path_exists\(\s*{column}\s*,\s*{every}\s*\)"
    if re.fullmatch(strings, term, flags):
        return replace(found, json_strings=True)
    listed = re.fullmatch(rf"{column}\s+IN\s*\((.*)\)", term, flags | re.DOTALL)
    if listed:
        return replace(found, choices=_values(listed.group(1)))
    length = rf"(?:char_length|character_length|length)\(\s*{column}\s*\)"
    for subject, whole in ((length, True), (column, False)):
        between = re.fullmatch(rf"{subject}\s+BETWEEN\s+{_NUMBER}\s+AND\s+{_NUMBER}", term, flags)
        if between:
            low, high = float(between.group(1)), float(between.group(2))
            found = _bound(_bound(found, ">=", low, whole), "<=", high, whole)
            return found
        compared = re.fullmatch(rf"{subject}\s*{_COMPARE}\s*{_NUMBER}", term, flags)
        if compared:
            return _bound(found, compared.group(1), float(compared.group(2)), whole)
        compared = re.fullmatch(rf"{_NUMBER}\s*{_COMPARE}\s*{subject}", term, flags)
        if compared:
            return _bound(found, _FLIP[compared.group(2)], float(compared.group(1)), whole)
    return found


def _values(listed: str) -> tuple[str | int, ...]:
    values: list[str | int] = []
    for match in re.finditer(r"'((?:[^']|'')*)'|(-?\d+)", listed):
        quoted, number = match.groups()
        values.append(quoted.replace("''", "'") if quoted is not None else int(number))
    return tuple(values)


def _bound(found: Limits, operator: str, value: float, length: bool) -> Limits:
    """`found` narrowed by `<subject> <operator> <value>`; strict bounds of a length (a
    whole number) move to the next one, those of a number by a little."""
    step = 1.0 if length else 1e-6
    low = {">=": value, ">": value + step, "=": value}.get(operator)
    high = {"<=": value, "<": value - step, "=": value}.get(operator)
    if length:
        shortest = math.ceil(low) if low is not None else found.shortest
        longest = math.floor(high) if high is not None else found.longest
        return replace(found, shortest=shortest, longest=longest)
    return replace(
        found,
        minimum=low if low is not None else found.minimum,
        maximum=high if high is not None else found.maximum,
    )
