"""The plan of the initial migration: the models' DDL per database, as Python literals."""

from __future__ import annotations

from fe_gen.generator.includes import repr_str
from fe_gen.generator.ir import Ddl


def statements_literal(
    ddl: tuple[Ddl, ...], *, extensions: tuple[str, ...], schemas: tuple[str, ...], drop: bool
) -> str:
    """`{"postgresql": (...), "sqlite": (...)}`: what creates (or drops) the tables, one
    statement a string. PostgreSQL first gets the extensions and schemas the tables need."""
    entries = []
    for each in ddl:
        statements = list(each.drop if drop else each.create)
        if each.database == "postgresql" and not drop:
            statements[:0] = [
                *(f'CREATE EXTENSION IF NOT EXISTS "{name}"' for name in extensions),
                *(f'CREATE SCHEMA IF NOT EXISTS "{name}"' for name in schemas),
            ]
        body = "".join(f"{_string(statement)},\n" for statement in statements)
        entries.append(f"{repr_str(each.database)}: (\n{body}),\n")
    return "{\n" + "".join(entries) + "}"


def _string(sql: str) -> str:
    """SQL as a Python string: one line in quotes, several in triple quotes, laid out as
    SQLAlchemy writes them (tabs become four spaces; no trailing blanks)."""
    lines = [line.rstrip(" ") for line in sql.splitlines()]
    lines = ["    " + line[1:] if line.startswith("\t") else line for line in lines]
    text = "\n".join(lines).strip("\n")
    if "\n" not in text or "\\" in text or '"""' in text or text.endswith('"'):
        return repr_str(text).replace("\n", "\\n")
    return f'"""{text}"""'
