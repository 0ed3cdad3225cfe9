"""Column constructs of real services (issue 10): functional indexes, defaults compiled for
some dialects only, UUID4-typed keys and encrypted columns, from tests/fixtures/models/
ring_columns.py and from types built here."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import UUID4
from sqlalchemy import CHAR, LargeBinary, String, Text, TypeDecorator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.schema import DefaultClause

from fe_gen.generator import introspect_columns
from fe_gen.generator.column_types import column_type, python_column_type
from fe_gen.generator.ir import Default, TypeRef, UniqueConstraint
from tests.generator.model_fixtures import column, model, schema_of
from tests.generator.test_plan import field_plan

UUID = TypeRef("uuid", "UUID")


@pytest.mark.parametrize(
    ("model_name", "key", "attribute", "expected"),
    [
        pytest.param("Account", "email", "unique", True, id="unique-lower-index"),
        pytest.param("Account", "email", "index", False, id="expression-index-is-not-its-own"),
        pytest.param("Account", "name", "index", False, id="literal-column-index"),
        pytest.param(
            "Token",
            "id",
            "server_default",
            Default("server", "gen_random_uuid()"),
            id="default-compiled-for-postgresql",
        ),
        pytest.param(
            "Token",
            "serial",
            "server_default",
            Default("server", "gen_random_uuid()"),
            id="server-side-default-alone",
        ),
    ],
)
def test_column_fact(model_name: str, key: str, attribute: str, expected: object) -> None:
    assert getattr(column("ring_columns", model_name, key), attribute) == expected


def test_a_unique_functional_index_constrains_the_column_it_names() -> None:
    assert model("ring_columns", "Account").unique_constraints == (
        UniqueConstraint("ix_accounts_email_lower", ("email",)),
    )


def test_a_uuid4_typed_key_is_served_as_any_uuid() -> None:
    key = column("ring_columns", "Account", "id").type
    assert (key.family, key.python, key.sql) == ("uuid", UUID, "CHAR(36)")


def test_an_encrypted_column_is_read_and_written_never_filtered_sorted_or_paged_on() -> None:
    assert column("ring_columns", "Patient", "ssn").type.encrypted
    ssn = field_plan("ring_columns", "Patient", "ssn")
    assert (ssn.sortable, ssn.filters) == (False, ())
    assert ssn.create_line == "ssn: Text"
    assert ssn.update_line == "ssn: Text | MISSING = MISSING"
    assert field_plan("ring_columns", "Patient", "name").sortable


def test_the_summary_notes_an_encrypted_column() -> None:
    assert [str(d) for d in schema_of("ring_columns").diagnostics] == [
        "Patient.ssn: stored encrypted: read and written, never filtered, sorted or paged on"
    ]


class _UUID4Text(TypeDecorator[uuid.UUID]):
    impl = CHAR(36)
    cache_ok = True

    @property
    def python_type(self) -> Any:
        return UUID4


class _UUID4Bytes(_UUID4Text):
    impl = LargeBinary(16)


@pytest.mark.parametrize(
    "type_",
    [
        pytest.param(_UUID4Text(), id="text"),
        pytest.param(_UUID4Bytes(), id="bytes"),
    ],
)
def test_a_type_whose_python_type_is_uuid4_is_a_uuid(type_: TypeDecorator[Any]) -> None:
    result = column_type(type_)
    assert (result.family, result.python) == ("uuid", UUID)


@pytest.mark.parametrize(
    "annotation",
    [
        pytest.param(UUID4, id="uuid4"),
        pytest.param(UUID4 | None, id="optional-uuid4"),
    ],
)
def test_a_uuid4_annotation_is_a_uuid(annotation: object) -> None:
    declared = python_column_type(annotation)
    assert declared is not None
    assert (declared.family, declared.python) == ("uuid", UUID)


def _encrypted_type(name: str, module: str) -> TypeDecorator[Any]:
    """A stand-in for a class of sqlalchemy-utils (which fe-gen never imports)."""
    cls = type(name, (TypeDecorator,), {"impl": Text, "cache_ok": True, "__module__": module})
    instance: TypeDecorator[Any] = cls()
    return instance


class _EncryptedString(TypeDecorator[str]):
    impl = String
    cache_ok = True


class _Secret(_EncryptedString):
    """Named otherwise, but still one."""


class _Wrapper(TypeDecorator[str]):
    impl = _EncryptedString
    cache_ok = True


@pytest.mark.parametrize(
    ("type_", "encrypted"),
    [
        pytest.param(
            _encrypted_type(
                "StringEncryptedType", "sqlalchemy_utils.types.encrypted.encrypted_type"
            ),
            True,
            id="sqlalchemy-utils-string-encrypted-type",
        ),
        pytest.param(
            _encrypted_type("EncryptedType", "sqlalchemy_utils.types.encrypted.encrypted_type"),
            True,
            id="sqlalchemy-utils-encrypted-type",
        ),
        pytest.param(
            _encrypted_type("Subclass", "sqlalchemy_utils.types.encrypted.encrypted_type"),
            True,
            id="by-module",
        ),
        pytest.param(_EncryptedString(), True, id="recipe-by-name"),
        pytest.param(_Secret(), True, id="subclass"),
        pytest.param(_Wrapper(), True, id="wrapping-one"),
        pytest.param(Text(), False, id="text"),
        pytest.param(_UUID4Text(), False, id="other-decorator"),
    ],
)
def test_encrypted_types_are_known_by_class_and_module(
    type_: TypeDecorator[Any], encrypted: bool
) -> None:
    assert column_type(type_).encrypted is encrypted


class _Nowhere(FunctionElement[str]):
    """A construct with no compile handler for any dialect."""

    name = "nowhere"
    inherit_cache = True


class _MySQLOnly(FunctionElement[str]):
    name = "mysql_only"
    inherit_cache = True


@compiles(_MySQLOnly, "mysql")
def _mysql_only(element: _MySQLOnly, compiler: SQLCompiler, **kw: Any) -> str:
    return "uuid()"


@pytest.mark.parametrize(
    ("clause", "text"),
    [
        pytest.param(_Nowhere(), "_Nowhere()", id="compiled-nowhere"),
        pytest.param(_MySQLOnly(), "_MySQLOnly()", id="compiled-for-another-database"),
    ],
)
def test_a_default_no_target_database_compiles_is_a_server_default(
    clause: FunctionElement[str], text: str
) -> None:
    assert introspect_columns._server_default(DefaultClause(clause)) == Default("server", text)
