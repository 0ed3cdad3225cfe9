"""Every way loading models fails ends in one FeGenError line that names the fix."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from model_fixtures import BROKEN, MODELS, PACKAGES

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.loading import load_schema

ENV_HINT = "pass --env-file FILE or set it in the environment"
PATH_HINT = "install it or pass --path DIR with the directory that holds it"

FILE_ERRORS = [
    pytest.param("nope.py", "models file not found: nope.py", id="missing-file"),
    pytest.param(
        "missing.env",
        "not a .py file: missing.env (not Python source); pass a models file, or an import "
        "path such as pkg.models with --path DIR",
        id="not-python",
    ),
    pytest.param(
        "../models/",
        "not a .py file: ../models/ (a directory); pass a models file, or an import path "
        "such as pkg.models with --path DIR",
        id="directory",
    ),
    pytest.param(
        "import_error.py",
        "import_error.py:3: import_error imports 'payments_sdk_not_installed', which cannot "
        f"be found; {PATH_HINT}",
        id="module-not-found",
    ),
    pytest.param(
        "import_name_error.py",
        "import_name_error.py:3: import_name_error: cannot import name 'NoSuchThing' from "
        "'sqlalchemy.orm'; fix the import, or install the version of the dependency that "
        "provides it",
        id="import-name",
    ),
    pytest.param(
        "missing_env.py",
        "missing_env.py:7: missing_env reads environment variable 'FIXTURE_DATABASE_URL', "
        f"which is not set; {ENV_HINT}",
        id="environ-key-error",
    ),
    pytest.param(
        "settings_missing.py",
        "settings_missing.py:14: settings_missing builds Settings at import, which needs the "
        "environment variable(s) APP_DATABASE_URL; pass --env-file FILE or set them in the "
        "environment",
        id="pydantic-settings",
    ),
    pytest.param(
        "engine_at_import.py",
        "engine_at_import.py:6: engine_at_import connects to the database at import and that "
        "failed: (sqlite3.OperationalError) unable to open database file; connect lazily, or "
        "pass --env-file FILE with a reachable database URL",
        id="engine-connects",
    ),
    pytest.param(
        "raises.py",
        "raises.py:5: importing raises raised JSONDecodeError: Expecting property name "
        "enclosed in double quotes: line 1 column 2 (char 1)",
        id="any-exception-names-user-line",
    ),
    pytest.param("exits.py", "exits.py:5: exits called sys.exit(3) at import", id="sys-exit"),
    pytest.param(
        "hard_exit.py",
        "importing hard_exit ended the process with exit status 5",
        id="os-exit",
    ),
    pytest.param(
        "crash.py",
        "importing crash crashed the Python interpreter (SIGSEGV); a C extension it imports "
        "may be broken or built for another Python",
        id="segfault",
    ),
    pytest.param(
        "no_models.py",
        "no mapped classes found in no_models.py: define models on a declarative Base (or a "
        "registry) and import them there, or name the Base as module:Base",
        id="no-mapped-classes",
    ),
    pytest.param(
        "unresolved.py",
        "Customer.invoices: relationship target 'Invoice' was never imported; import the "
        "module that defines Invoice with the models (or pass its package to --models)",
        id="relationship-to-unimported-class",
    ),
    pytest.param(
        "no_table_pk.py",
        "Event: table events has no primary key; declare primary_key=True on its key column(s)",
        id="table-without-primary-key",
    ),
    pytest.param(
        "no_primary_key.py",
        "no_primary_key.py:11: Visit: table visits has no primary key, so SQLAlchemy can't map "
        "it; declare primary_key=True on its key column(s)",
        id="class-without-primary-key",
    ),
    pytest.param(
        "over_join.py",
        "Both is mapped to a Join, not a Table; fe-gen serves table-mapped classes only: map "
        "it to a Table or leave it out of the models",
        id="mapped-over-a-join",
    ),
    pytest.param(
        "two_bases.py:Nope",
        "two_bases.py: two_bases has no attribute 'Nope'; name its declarative Base, registry, "
        "MetaData or Flask-SQLAlchemy db after ':'",
        id="missing-attribute",
    ),
    pytest.param(
        "columns.py:Status",
        "columns.py: Status is a EnumType, not a declarative Base, a registry, a MetaData, a "
        "Flask-SQLAlchemy db or a function that maps the models; name one of those after ':'",
        id="attribute-of-wrong-kind",
    ),
]


@pytest.mark.parametrize(("spec", "message"), FILE_ERRORS)
def test_file_error(spec: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MODELS)
    monkeypatch.delenv("FIXTURE_DATABASE_URL", raising=False)
    monkeypatch.delenv("APP_DATABASE_URL", raising=False)
    with pytest.raises(FeGenError) as caught:
        load_schema(spec)
    assert caught.value.message == message
    assert "\n" not in caught.value.message
    assert "Traceback" not in caught.value.message


def test_syntax_error_names_file_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    with pytest.raises(FeGenError, match=r"^syntax_error\.py:4: syntax error: expected ':'$"):
        load_schema("syntax_error.py")


def test_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MODELS)
    with pytest.raises(FeGenError) as caught:
        load_schema("hangs.py", timeout=0.5)
    assert caught.value.message == (
        "importing hangs did not finish within 0.5s; it may wait on a database or the "
        "network at import: avoid that, or raise --timeout"
    )


PACKAGE_ERRORS = [
    pytest.param(
        "nosuchpkg.models",
        (),
        f"cannot import nosuchpkg.models: no module named 'nosuchpkg'; {PATH_HINT}",
        id="package-not-on-path",
    ),
    pytest.param(
        "shop.nosuch",
        (),
        f"cannot import shop.nosuch: no module named 'shop.nosuch'; {PATH_HINT}",
        id="submodule-not-found",
    ),
    pytest.param(
        "shop",
        ("shop.legacy",),
        "shop/settings.py:3: shop.settings reads environment variable 'SHOP_DATABASE_URL', "
        f"which is not set; {ENV_HINT}",
        id="settings-read-at-import",
    ),
    pytest.param(
        "circular_broken",
        (),
        "circular_broken/invoices.py:7: circular import (circular_broken.customers -> "
        "circular_broken.invoices -> circular_broken.customers): circular_broken.invoices "
        "imports Customer from circular_broken.customers, which has not defined it yet; import "
        "it under `if TYPE_CHECKING:` if only annotations need it, else move Customer to a "
        "module that both import",
        id="circular-import",
    ),
]


@pytest.mark.parametrize(("spec", "exclude", "message"), PACKAGE_ERRORS)
def test_package_error(
    spec: str, exclude: tuple[str, ...], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PACKAGES)
    monkeypatch.delenv("SHOP_DATABASE_URL", raising=False)
    with pytest.raises(FeGenError) as caught:
        load_schema(spec, exclude=exclude)
    assert caught.value.message == message


def test_unexcluded_dead_module_names_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PACKAGES)
    with pytest.raises(FeGenError) as caught:
        load_schema("shop", env_file=Path("shop.env"))
    assert caught.value.message == (
        "shop/legacy/old_models.py:1: importing shop.legacy.old_models raised RuntimeError: "
        "shop.legacy is dead code and must be excluded"
    )


def test_path_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(FeGenError, match=r"^--path .*nowhere is not a directory$"):
        load_schema("shop", search_path=tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(None, "env file not found: {path}", id="missing"),
        pytest.param(
            "A=1\nnot a pair\n", "{path}:2: expected KEY=VALUE, got 'not a pair'", id="bad-line"
        ),
        pytest.param("1A=x\n", "{path}:1: expected KEY=VALUE, got '1A=x'", id="bad-key"),
    ],
)
def test_env_file_error(text: str | None, message: str, tmp_path: Path) -> None:
    path = tmp_path / "app.env"
    if text is not None:
        path.write_text(text)
    with pytest.raises(FeGenError) as caught:
        load_schema(str(MODELS / "mixins.py"), env_file=path)
    assert caught.value.message == message.format(path=path)


NOT_A_MODULE = (
    "neither a .py file nor an import path; pass a models file (path/models.py) or a dotted "
    "module name (pkg.models, pkg.models:Base)"
)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param(
            "",
            "--models is empty: pass a models file (path/models.py) or an import path "
            "(pkg.models), or leave the option out for the bundled bookstore",
            id="empty",
        ),
        pytest.param(
            "  ",
            "--models is empty: pass a models file (path/models.py) or an import path "
            "(pkg.models), or leave the option out for the bundled bookstore",
            id="blank",
        ),
        pytest.param(".models", f"--models '.models': {NOT_A_MODULE}", id="relative"),
        pytest.param("shop.", f"--models 'shop.': {NOT_A_MODULE}", id="trailing-dot"),
        pytest.param("my-models", f"--models 'my-models': {NOT_A_MODULE}", id="hyphen"),
        pytest.param(":Base", f"--models ':Base': {NOT_A_MODULE}", id="attribute-alone"),
    ],
)
def test_models_option_error(spec: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MODELS)
    with pytest.raises(FeGenError) as caught:
        load_schema(spec)
    assert caught.value.message == message


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
LATIN_1 = "from sqlalchemy.orm import DeclarativeBase\n\n\nNAME = 'café'\n".encode("latin-1")
EMPTY = (
    "models.py is empty: define the models in it (on a declarative Base or a registry), or "
    "pass the file that does"
)
NOT_SOURCE = "models.py is not a Python source file ({}); pass the .py file that defines the models"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", EMPTY, id="empty"),
        pytest.param(b"\n  \n\t\n", EMPTY, id="blank"),
        pytest.param(PNG, NOT_SOURCE.format("not UTF-8 text: byte 0x89 at position 0"), id="png"),
        pytest.param(b"x = 1\n\0\n", NOT_SOURCE.format("a NUL byte at position 6"), id="nul"),
        pytest.param(
            LATIN_1,
            "models.py:4: not UTF-8 text (byte 0xe9 at column 12); save the file as UTF-8, or "
            "declare its encoding on its first line (# -*- coding: latin-1 -*-)",
            id="latin-1",
        ),
    ],
)
def test_a_models_file_that_is_not_python_source(
    content: bytes, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "models.py").write_bytes(content)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FeGenError) as caught:
        load_schema("models.py")
    assert caught.value.message == message


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_not_a_python_source_file(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "models.py").write_bytes(random.Random(seed).randbytes(512))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FeGenError, match=r"^models\.py is not a Python source file \("):
        load_schema("models.py")


def test_a_binary_module_of_a_package_can_be_excluded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "__init__.py").write_text("")
    (tmp_path / "store" / "blob.py").write_bytes(PNG)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FeGenError) as caught:
        load_schema("store")
    assert caught.value.message == (
        "store/blob.py is not a Python source file (not UTF-8 text: byte 0x89 at position 0); "
        "remove it or leave it out with --exclude store.blob"
    )


def test_a_bad_escape_in_a_string_stays_a_syntax_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "models.py").write_text('NAME = "\\N{no such character}"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FeGenError, match=r"^models\.py:1: syntax error: \(unicode error\)"):
        load_schema("models.py")


def test_a_models_file_and_its_neighbour_that_import_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\nfrom b import Label\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n"
    )
    (tmp_path / "b.py").write_text("from a import Base\n\n\nclass Label:\n    pass\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FeGenError) as caught:
        load_schema("a.py")
    assert caught.value.message == (
        "b.py:1: circular import (a -> b -> a): b imports Base from a, which has not defined "
        "it yet; import it under `if TYPE_CHECKING:` if only annotations need it, else move "
        "Base to a module that both import"
    )


SETTINGS_WITH_A_LONG_ERROR = """\
from pydantic import field_validator
from pydantic_settings import BaseSettings
from sqlalchemy.orm import DeclarativeBase


class Settings(BaseSettings):
    database_url: str = "sqlite://"

    @field_validator("database_url")
    @classmethod
    def _known(cls, value: str) -> str:
        raise ValueError("unsupported URL;\\n  use one of:\\n    sqlite://, postgresql://")


settings = Settings()


class Base(DeclarativeBase):
    pass
"""


def test_a_library_message_of_several_lines_stays_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "models.py").write_text(SETTINGS_WITH_A_LONG_ERROR)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FeGenError) as caught:
        load_schema("models.py")
    assert caught.value.message == (
        "models.py:15: models builds Settings at import and database_url is invalid: Value "
        "error, unsupported URL; use one of: sqlite://, postgresql://; fix its environment "
        "variable or pass --env-file FILE"
    )


def test_an_error_is_one_line_whatever_it_quotes() -> None:
    error = FeGenError("Book.title: the library said:\n  first\n\tsecond  ")
    assert error.message == str(error) == "Book.title: the library said: first second"
