"""The intermediate representation: what fe-gen knows about a set of mapped classes.

Plain, frozen dataclasses and no SQLAlchemy objects inside, so the IR prints as JSON
(`fe-gen inspect`) and travels into copier, as the plan's data, unchanged. Only
`introspect.py` builds it; everything downstream reads it.

Names: a column's `key` is the attribute name on the mapped class (`Booking.from_`), its
`name` the SQL name ("from"). Relationships and constraints refer to columns by key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import TypeAdapter

TypeFamily = Literal[
    "integer",
    "float",
    "decimal",
    "string",
    "boolean",
    "date",
    "datetime",
    "time",
    "interval",
    "uuid",
    "enum",
    "json",
    "binary",
    "array",
    "other",
]
"""How the API treats a column's values: which filters apply, how values are parsed."""

Direction = Literal["many_to_one", "one_to_many", "many_to_many"]
Severity = Literal["warning", "error"]


@dataclass(frozen=True)
class TypeRef:
    """A Python class by where it is defined: `TypeRef("decimal", "Decimal")`."""

    module: str
    name: str

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class EnumInfo:
    """An enumerated column: the values the database stores and the Python enum, if any."""

    values: tuple[str, ...]
    """What the database stores, in declaration order."""
    python_class: TypeRef | None = None
    """The `enum.Enum` subclass the column maps, or None for `Enum("a", "b")` of strings."""
    members: tuple[str, ...] = ()
    """Member names of `python_class`, aligned with `values`."""
    sql_name: str | None = None
    """The database type name (`CREATE TYPE <sql_name> AS ENUM` on PostgreSQL)."""
    native: bool = True


@dataclass(frozen=True)
class ColumnType:
    """A column's type as the database and as Python see it."""

    family: TypeFamily
    sql: str
    """The type as SQLAlchemy renders it for the generic dialect: `VARCHAR(200)`."""
    python: TypeRef | None
    """The Python type of values; None when SQLAlchemy cannot tell (opaque custom types)."""
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    timezone: bool = False
    enum: EnumInfo | None = None
    item: ColumnType | None = None
    """For arrays: the type of one element."""
    dialect: str | None = None
    """The one dialect that has this type (`postgresql` for JSONB, INET, ...), else None."""
    encrypted: bool = False
    """Stored encrypted (sqlalchemy-utils' StringEncryptedType ...): SQL sees only ciphertext,
    so the API reads and writes such a column but never filters, sorts or pages on it."""
    sql_uuid: bool = False
    """The SQL UUID type (`sqlalchemy.UUID`, PostgreSQL's), not the generic `Uuid`: SQLite
    has no such type and would store a hex of digits as a number."""


@dataclass(frozen=True)
class Default:
    """A default value the client may omit: set in Python by SQLAlchemy or by the server."""

    kind: Literal["scalar", "callable", "sequence", "server", "identity", "computed"]
    text: str
    """The scalar's repr, the callable's dotted name, or the server-side SQL text."""


@dataclass(frozen=True)
class ForeignKey:
    target_table: str
    """Qualified as `schema.table` when the table has a schema."""
    target_column: str
    """SQL name of the referenced column."""
    constraint: str | None = None
    ondelete: str | None = None
    onupdate: str | None = None


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    type: ColumnType
    nullable: bool
    primary_key: bool = False
    autoincrement: bool = False
    """True when the database generates the value (serial, identity, rowid)."""
    unique: bool = False
    index: bool = False
    default: Default | None = None
    server_default: Default | None = None
    foreign_keys: tuple[ForeignKey, ...] = ()
    deferred: bool = False
    """Loaded only on request (`deferred()`, `mapped_column(deferred=True)`)."""
    read_only: bool = False
    """Computed or identity-always columns: the database writes them, clients never do."""
    doc: str | None = None
    table: str | None = None
    """The column's table when it is not the model's own: a joined-inheritance parent's."""
    aware_default: bool = False
    """A column without time zone whose Python default makes aware datetimes."""
    default_factory: TypeRef | None = None
    """A dataclass-mapped attribute's `default_factory`, which only `__init__` applies (not
    INSERT statements): the generated create schema calls it instead."""

    @property
    def has_default(self) -> bool:
        return (
            self.autoincrement
            or self.default is not None
            or self.server_default is not None
            or self.default_factory is not None
        )


@dataclass(frozen=True)
class Secondary:
    """The association table of a many-to-many relationship."""

    table: str
    """Qualified as `schema.table` when the table has a schema."""
    local_columns: tuple[str, ...]
    """SQL names of the columns that point at this model, aligned with `local_columns`."""
    remote_columns: tuple[str, ...]
    """SQL names of the columns that point at the target, aligned with `remote_columns`."""
    required_columns: tuple[str, ...] = ()
    """Its other columns that a row must be given (NOT NULL, no default): linking by ids
    alone would violate them."""


@dataclass(frozen=True)
class OrderBy:
    column: str
    """Key of a column of the target model."""
    descending: bool = False


@dataclass(frozen=True)
class Relationship:
    key: str
    target: str
    """Class name of the related model."""
    direction: Direction
    local_columns: tuple[str, ...]
    """Keys of this model's columns that the join uses, aligned with `remote_columns`."""
    remote_columns: tuple[str, ...]
    """Keys of the target's columns that the join uses."""
    uselist: bool
    secondary: Secondary | None = None
    back_populates: str | None = None
    viewonly: bool = False
    order_by: tuple[OrderBy, ...] = ()
    includable: bool = True
    """False when the join is more than column equality, so fe-gen cannot load it by keys."""


@dataclass(frozen=True)
class ReadOnlyField:
    """A computed attribute served read-only: a hybrid property or a column_property."""

    key: str
    kind: Literal["hybrid_property", "column_property"]
    type: ColumnType | None
    sql_expression: bool
    """True when the attribute has a SQL expression, so it can be selected in the query."""


@dataclass(frozen=True)
class UniqueConstraint:
    name: str | None
    columns: tuple[str, ...]
    """Keys of the constrained columns."""


@dataclass(frozen=True)
class CheckConstraint:
    name: str | None
    sql: str
    """The condition as the model writes it: `jsonb_typeof(labels) = 'object'`."""
    dialect: str | None = None
    """The one dialect the constraint is created on (`.ddl_if(dialect="postgresql")`), or
    None for all of them."""


@dataclass(frozen=True)
class InheritedTable:
    """One table of a joined-inheritance chain, and how it joins its parent's table."""

    table: str
    """Qualified as `schema.table` when the table has a schema."""
    parent_columns: tuple[str, ...] = ()
    """SQL names of the parent table's columns this table's key columns reference."""
    columns: tuple[str, ...] = ()
    """SQL names of the key columns that reference them, aligned with `parent_columns`."""


@dataclass(frozen=True)
class Inheritance:
    """A model's place in a mapped class hierarchy (single-table or joined-table)."""

    root: str
    """Class name of the hierarchy's root."""
    parent: str | None
    """The mapped class this one inherits from; None for the root."""
    kind: Literal["single", "joined"] | None
    """How this class is stored relative to its parent; None for the root."""
    discriminator: str | None
    """Key of the column that tells the classes apart (`polymorphic_on`)."""
    identity: str | int | None
    """This class's value of the discriminator; None for an abstract class."""
    identities: tuple[str | int, ...]
    """The values of this class and all classes below it."""
    tables: tuple[InheritedTable, ...]
    """The tables a row of this class spans, from the root's down to its own."""


@dataclass(frozen=True)
class Model:
    name: str
    """Class name."""
    module: str
    """Module the class is defined in, as it was imported."""
    table: str
    schema: str | None
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    """Keys of the primary key columns, in key order."""
    relationships: tuple[Relationship, ...] = ()
    read_only_fields: tuple[ReadOnlyField, ...] = ()
    unique_constraints: tuple[UniqueConstraint, ...] = ()
    doc: str | None = None
    inheritance: Inheritance | None = None
    raising_on_class: tuple[str, ...] = ()
    """Attributes that raise when read on the class (a Python-only hybrid that walks a
    relationship). SQLAlchemy's ORM bulk INSERT reads every attribute there."""
    checks: tuple[CheckConstraint, ...] = ()
    """The table's CHECK constraints, which the tests' sample values must pass."""

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"{self.name} has no column {key!r}")

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table


@dataclass(frozen=True)
class Diagnostic:
    """Something fe-gen left out or changed, named down to the model and attribute."""

    severity: Severity
    model: str | None
    attribute: str | None
    message: str

    def __str__(self) -> str:
        where = ".".join(part for part in (self.model, self.attribute) if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Source:
    """Where the models came from, as the user named them."""

    kind: Literal["file", "module"]
    location: str
    """The path of the models file, or the import path (`pkg.models`)."""
    module: str
    """The module name the models were imported as."""
    root: str | None = None
    """The directory on sys.path that the models' top-level package or module came from."""
    siblings: tuple[str, ...] = ()
    """For a models file: the modules it imported from its own folder."""
    setup: TypeRef | None = None
    """The function that maps the models imperatively (`pkg.orm:start_mappers`), which the
    generated package calls once at import."""
    setup_typed: bool = False
    """Whether that function has annotations: a call of an untyped one is an error to mypy
    in a typed module, so the generated call says it is meant."""


@dataclass(frozen=True)
class Ddl:
    """What creating the models' tables runs on one database, and what drops them again."""

    database: str
    """`postgresql` or `sqlite`."""
    create: tuple[str, ...]
    drop: tuple[str, ...]


@dataclass(frozen=True)
class DdlFailure:
    """A database the models' tables can't be created on, as fe-gen compiled their DDL."""

    database: str
    """`postgresql` or `sqlite`."""
    reason: str
    """One line, naming the table and column when one is at fault."""


@dataclass(frozen=True)
class Schema:
    """Everything fe-gen read from one set of models."""

    source: Source
    bases: tuple[TypeRef, ...]
    """Declarative bases (or registries' owners) whose metadata holds the tables."""
    models: tuple[Model, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    ddl_scripts: bool = False
    """DDL hooks of the tables or their MetaData run several SQL statements at once."""
    requirements: tuple[str, ...] = ()
    """Distributions the models' own code imports (`python-slugify>=8.0.4`)."""
    ddl: tuple[Ddl, ...] = ()
    """The models' DDL on each database that can create their tables (generator/ddl.py)."""
    ddl_failures: tuple[DdlFailure, ...] = ()
    """The databases left out of `ddl`, and why."""

    def model(self, name: str) -> Model:
        for model in self.models:
            if model.name == name:
                return model
        raise KeyError(f"no model named {name!r}")

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _ADAPTER.dump_python(self, mode="json")
        return result

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> Schema:
        return _ADAPTER.validate_python(data)

    @classmethod
    def from_json(cls, text: str) -> Schema:
        return _ADAPTER.validate_json(text)


_ADAPTER: TypeAdapter[Schema] = TypeAdapter(Schema)
