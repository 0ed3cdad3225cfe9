"""`fe-gen new`: what it writes, what it refuses, and that a failure writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fe_gen.generator import render
from fe_gen.generator.cli import app
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.loading import load_schema

FIXTURES = Path(__file__).parents[1] / "fixtures"
runner = CliRunner()


def fe_gen(*arguments: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fe_gen.generator", *arguments],
        cwd=cwd,
        env=os.environ | environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_new_without_models_renders_the_bookstore_and_says_what_next(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "shop")])
    assert result.exit_code == 0, result.output
    assert "Generated" in result.output and "Author, Book, Tag, Review" in result.output
    assert "pip install -e '.[dev]'" in result.output and "uvicorn app.main:app" in result.output
    project = tmp_path / "shop"
    for name in ("book", "author", "tag", "review"):
        assert (project / "app" / "api" / "routes" / f"{name}.py").is_file()
        assert (project / "tests" / f"test_{name}.py").is_file()
    assert (project / "app" / "models.py").read_text() == (
        Path(__file__).parents[2] / "examples" / "bookstore" / "models.py"
    ).read_text()


def test_the_record_says_how_the_project_was_generated_with_relative_paths(
    tmp_path: Path,
) -> None:
    assert runner.invoke(app, ["new", str(tmp_path / "shop")]).exit_code == 0
    project = tmp_path / "shop"
    record = json.loads((project / ".fe-gen" / "record.json").read_text())
    assert record["fe_gen"] and record["template"]
    assert record["inputs"]["kind"] == "file" and record["inputs"]["models"] == "app/models.py"
    assert str(tmp_path) not in (project / ".fe-gen" / "record.json").read_text()
    assert not (project / ".copier-answers.yml").exists()
    base = project / ".fe-gen" / "base"
    generated = {path.relative_to(base) for path in base.rglob("*") if path.is_file()}
    assert Path("app/main.py") in generated and Path("app/models.py") not in generated
    for name in generated:
        assert (base / name).read_bytes() == (project / name).read_bytes(), name


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ["--models", "missing.py"], "models file not found: missing.py", id="missing-file"
        ),
        pytest.param(
            ["--models", str(FIXTURES / "broken" / "syntax_error.py")],
            "syntax_error.py:",
            id="syntax-error",
        ),
        pytest.param(
            ["--models", str(FIXTURES / "models" / "import_error.py")],
            "import_error",
            id="import-error",
        ),
        pytest.param(
            ["--models", str(FIXTURES / "models" / "no_models.py")],
            "no mapped classes found",
            id="no-mapped-classes",
        ),
        pytest.param(["--nope"], "No such option: --nope", id="unknown-option"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    result = fe_gen("new", "shop", *arguments, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if "No such option" not in message:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_destination_is_refused_and_left_alone(tmp_path: Path) -> None:
    dest = tmp_path / "shop"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    result = fe_gen("new", str(dest), cwd=tmp_path)
    assert result.returncode == 2
    assert f"destination {dest} is not empty" in result.stderr and "--force" in result.stderr
    assert tree(dest) == {"notes.txt": b"mine"}


def test_force_renders_into_a_non_empty_destination_and_keeps_every_user_file(
    tmp_path: Path,
) -> None:
    dest = tmp_path / "shop"
    (dest / "app").mkdir(parents=True)
    (dest / "notes.txt").write_text("mine")
    (dest / "app" / "extra.py").write_text("X = 1\n")
    result = runner.invoke(app, ["new", str(dest), "--force"])
    assert result.exit_code == 0, result.output
    assert (dest / "notes.txt").read_text() == "mine"
    assert (dest / "app" / "extra.py").read_text() == "X = 1\n"
    assert (dest / "app" / "main.py").is_file()


def test_a_destination_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shop").write_text("a file")
    result = fe_gen("new", "shop", cwd=tmp_path)
    assert result.returncode == 2
    assert "exists and is not a directory" in result.stderr
    assert (tmp_path / "shop").read_text() == "a file"


def test_a_failure_while_rendering_leaves_no_project_and_no_scratch_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(project: Path, exclude: Path) -> None:
        raise FeGenError("formatting failed")

    monkeypatch.setattr(render, "_format", fail)
    with pytest.raises(FeGenError, match="formatting failed"):
        render.render_project(load_schema(None), tmp_path / "shop")
    assert list(tmp_path.iterdir()) == []


def test_rendering_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        dest = tmp_path / seed / "travel"
        result = fe_gen(
            "new",
            str(dest),
            "--models",
            str(FIXTURES / "models" / "travel.py"),
            cwd=tmp_path,
            PYTHONHASHSEED=seed,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(tree(dest))
    assert outputs[0] == outputs[1]


PACKAGES = FIXTURES / "packages"
PACKAGE_OPTIONS = ["--path", str(PACKAGES), "--env-file", str(PACKAGES / "shop.env")]
PACKAGE_OPTIONS += ["--exclude", "shop.legacy*"]


def test_models_imported_by_path_stay_where_they_are(tmp_path: Path) -> None:
    result = fe_gen("new", "api", "--models", "shop", *PACKAGE_OPTIONS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "api"
    assert not (project / "app" / "models.py").exists()
    assert "from shop.catalog import" in (project / "app" / "queries" / "product.py").read_text()
    pyproject = (project / "pyproject.toml").read_text()
    relative = os.path.relpath(PACKAGES, project)
    assert f'where = [".", "{relative}"]' in pyproject
    assert f'pythonpath = ["{relative}"]' in pyproject
    assert "the models read settings when imported" in result.stdout


def test_a_models_package_named_like_the_generated_one_is_refused(tmp_path: Path) -> None:
    result = fe_gen(
        "new", "api", "--models", "shop", "--package", "shop", *PACKAGE_OPTIONS, cwd=tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: the models' package is called shop, like the package fe-gen would generate: "
        "pass --package with another name (e.g. --package shop_api)"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_models_file_that_imports_its_neighbours_is_refused(tmp_path: Path) -> None:
    models = FIXTURES / "models" / "sibling_import.py"
    result = fe_gen("new", "api", "--models", str(models), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{models} imports mixins from its folder" in result.stderr
    assert "--models pkg.models" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_generated_package_can_be_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "shop"), "--package", "bookstore"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shop" / "bookstore" / "main.py").is_file()
    assert "uvicorn bookstore.main:app" in result.output


def test_an_invalid_package_name_is_refused(tmp_path: Path) -> None:
    result = fe_gen("new", "shop", "--package", "my-api", cwd=tmp_path)
    assert result.returncode == 2
    assert "--package my-api: not a valid Python package name" in result.stderr


def test_a_model_on_the_docs_route_keeps_it_and_the_docs_move(tmp_path: Path) -> None:
    project = tmp_path / "awkward"
    models = FIXTURES / "models" / "awkward.py"
    result = runner.invoke(app, ["new", str(project), "--models", str(models)])
    assert result.exit_code == 0, result.output
    note = (
        "/docs is the route of model Doc, so Swagger UI is at /api-docs; /redoc is the route "
        "of model Redoc, so ReDoc is at /api-redoc"
    )
    assert f"note: {note}" in result.output
    assert "then open http://127.0.0.1:8000/api-docs" in result.output
    assert (
        f"Then open http://127.0.0.1:8000/api-docs ({note})." in (project / "README.md").read_text()
    )
    main = (project / "app" / "main.py").read_text()
    assert 'docs_url="/api-docs"' in main and 'redoc_url="/api-redoc"' in main
    routes = project / "app" / "api" / "routes"
    assert {"import_.py", "class_.py", "from_.py", "doc.py", "health.py"} <= {
        path.name for path in routes.iterdir()
    }


def test_models_that_import_each_other_as_python_allows_generate(tmp_path: Path) -> None:
    result = fe_gen("new", "api", "--models", "circular", "--path", str(PACKAGES), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    routes = tmp_path / "api" / "app" / "api" / "routes"
    assert (routes / "author.py").is_file() and (routes / "book.py").is_file()
    assert (
        "from circular.library import Book"
        in (tmp_path / "api" / "app" / "queries" / "book.py").read_text()
    )


def test_models_on_two_unrelated_bases_are_all_served(tmp_path: Path) -> None:
    result = fe_gen(
        "new", "api", "--models", str(FIXTURES / "models" / "two_bases.py"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "api"
    assert (
        "METADATA = metadata_of(Account, AuditEntry)" in (project / "app" / "main.py").read_text()
    )
    routes = project / "app" / "api" / "routes"
    assert (routes / "account.py").is_file() and (routes / "audit_entry.py").is_file()


LATIN_1 = "from sqlalchemy.orm import DeclarativeBase\n\nNAME = 'café'\n".encode("latin-1")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
TWO_BASES_ONE_TABLE = b"""
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Main(DeclarativeBase):
    pass


class Archive(DeclarativeBase):
    pass


class Account(Main):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)


class OldAccount(Archive):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

# Each bad input: the models file written for it (if any), the options, and what the one
# line on stderr must say of the file, model or option at fault.
BAD_MODELS = [
    pytest.param(b"", ["--models", "models.py"], "error: models.py is empty: ", id="empty"),
    pytest.param(
        PNG,
        ["--models", "models.py"],
        "error: models.py is not a Python source file (not UTF-8 text: byte 0x89 at position 0)",
        id="binary",
    ),
    pytest.param(
        LATIN_1, ["--models", "models.py"], "error: models.py:3: not UTF-8 text", id="latin-1"
    ),
    pytest.param(
        None,
        ["--models", "circular_broken", "--path", str(PACKAGES)],
        "circular import (circular_broken.customers -> circular_broken.invoices -> ",
        id="circular-import",
    ),
    pytest.param(
        None,
        ["--models", str(FIXTURES / "models" / "no_primary_key.py")],
        "Visit: table visits has no primary key",
        id="no-primary-key",
    ),
    pytest.param(None, ["--models", ""], "error: --models is empty: ", id="empty-option"),
]
BAD_INPUTS = [
    *BAD_MODELS,
    pytest.param(
        TWO_BASES_ONE_TABLE,
        ["--models", "models.py"],
        "error: models Account and OldAccount would both get the URL path /accounts",
        id="two-bases-one-table",
    ),
]


def _bad_input(content: bytes | None, cwd: Path) -> None:
    if content is not None:
        (cwd / "models.py").write_bytes(content)


def _one_error_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]


@pytest.mark.parametrize(("content", "options", "expected"), BAD_INPUTS)
def test_bad_models_exit_2_with_one_line_and_no_project(
    content: bytes | None, options: list[str], expected: str, tmp_path: Path
) -> None:
    _bad_input(content, tmp_path)
    _one_error_line(fe_gen("new", "shop", *options, cwd=tmp_path), expected)
    assert not (tmp_path / "shop").exists()
    assert [path.name for path in tmp_path.iterdir()] == ([] if content is None else ["models.py"])


@pytest.mark.parametrize(("content", "options", "expected"), BAD_INPUTS)
def test_bad_models_with_force_leave_the_destination_as_it_was(
    content: bytes | None, options: list[str], expected: str, tmp_path: Path
) -> None:
    _bad_input(content, tmp_path)
    dest = tmp_path / "shop"
    (dest / "app").mkdir(parents=True)
    (dest / "notes.txt").write_text("mine")
    (dest / "app" / "main.py").write_text("# my own app\n")
    _one_error_line(fe_gen("new", "shop", "--force", *options, cwd=tmp_path), expected)
    assert tree(dest) == {"app/main.py": b"# my own app\n", "notes.txt": b"mine"}
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["shop"] if content is None else ["shop", "models.py"]
    )


@pytest.mark.parametrize(("content", "options", "expected"), BAD_MODELS)
def test_inspect_says_the_same_of_bad_models(
    content: bytes | None, options: list[str], expected: str, tmp_path: Path
) -> None:
    _bad_input(content, tmp_path)
    _one_error_line(fe_gen("inspect", *options, cwd=tmp_path), expected)
