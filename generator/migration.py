"""The plan of the initial migration: the models' DDL per database, as Python literals."""

from __future__ import annotations

from fe_gen.generator.includes import repr_str
from fe_gen.generator.ir import Ddl, DdlFailure, Schema

_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


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


def unavailable_literal(failures: tuple[DdlFailure, ...]) -> str:
    """`{"sqlite": "(in table 'places', column 'where'): ..."}`: why the initial migration has
    no statements for a database, which it says when run there."""
    entries = "".join(f"{repr_str(each.database)}: {repr_str(each.reason)},\n" for each in failures)
    return "{\n" + entries + "}" if entries else "{}"


def sqlite_ddl_reason(schema: Schema) -> str | None:
    """Why the project needs PostgreSQL when the models' DDL compiles for it alone."""
    failed = {each.database: each.reason for each in schema.ddl_failures}
    if "sqlite" in failed and "postgresql" not in failed:
        return f"SQLite can't create the tables {failed['sqlite']}"
    return None


def ddl_notes(schema: Schema, *, needs_postgresql_already: bool, migration: str) -> list[str]:
    """A named note for each database the initial migration (`migration`, its path in the
    project) has no statements for; none for SQLite in a project that needs PostgreSQL
    already, which the app and `migrate` say when started on SQLite."""
    notes = []
    for failure in schema.ddl_failures:
        name = _NAMES[failure.database]
        if failure.database == "sqlite" and needs_postgresql_already:
            continue
        if sqlite_ddl_reason(schema) and failure.database == "sqlite":
            outcome = "the project needs PostgreSQL"
        else:
            outcome = f"`migrate` on {name} stops saying so; write its statements in {migration}"
        notes.append(
            f"initial migration: {name} can't create the tables {failure.reason}; {outcome}"
        )
    return notes
