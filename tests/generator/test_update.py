"""`fe-gen update`: the merge of each file, and the bookstore after its models change.

The updated project's own suite, ruff and mypy run in tests/e2e/test_update.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fe_gen.generator import render
from fe_gen.generator.cli import app
from fe_gen.generator.revision import RevisionFailed
from fe_gen.generator.update import Change, _change, merge
from tests.e2e.update_scenario import (
    EDITS,
    HAND_WRITTEN_TEST,
    PUBLISHER_FILES,
    REVIEW_FILES,
    change_models,
    edit_by_hand,
    replace,
    tree,
)

runner = CliRunner()
PACKAGES = Path(__file__).parents[1] / "fixtures" / "packages"

BASE = b"a\nb\nc\nd\ne\n"
MINE = b"a\nB\nc\nd\ne\n"
NEW = b"a\nb\nc\nd\nE\n"


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "expected"),
    [
        pytest.param(BASE, BASE, BASE, None, id="nothing-changed"),
        pytest.param(BASE, MINE, BASE, None, id="only-you-changed-it"),
        pytest.param(BASE, None, BASE, None, id="you-deleted-it-fe-gen-did-not-change-it"),
        pytest.param(BASE, BASE, NEW, Change("f", "updated", NEW), id="only-fe-gen-changed-it"),
        pytest.param(BASE, NEW, NEW, None, id="you-made-fe-gen-s-change"),
        pytest.param(BASE, MINE, NEW, Change("f", "merged", b"a\nB\nc\nd\nE\n"), id="both-apart"),
        pytest.param(BASE, None, NEW, Change("f", "kept deleted", None), id="you-deleted-it"),
        pytest.param(None, None, NEW, Change("f", "added", NEW), id="new-file"),
        pytest.param(BASE, MINE, None, Change("f", "not generated", None), id="no-longer-made"),
        pytest.param(BASE, None, None, None, id="gone-on-both-sides"),
    ],
)
def test_what_becomes_of_a_file(
    base: bytes | None, ours: bytes | None, theirs: bytes | None, expected: Change | None
) -> None:
    assert _change("f", base, ours, theirs) == expected


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        pytest.param(b"a\nX\nc\nd\ne\n", b"a\nY\nc\nd\ne\n", id="same-line"),
        pytest.param(b"a\nb\nc\nd\ne\nmine\n", b"a\nb\nc\nd\ne\ntheirs\n", id="both-append"),
    ],
)
def test_overlapping_changes_conflict_with_markers_naming_each_side(
    ours: bytes, theirs: bytes
) -> None:
    merged, conflicts = merge(BASE, ours, theirs)
    assert conflicts
    text = merged.decode()
    assert "<<<<<<< yours\n" in text and ">>>>>>> fe-gen update\n" in text
    assert "||||||| fe-gen before\n" in text and "=======\n" in text


def test_a_file_you_made_where_fe_gen_now_makes_one_conflicts() -> None:
    change = _change("f", None, b"mine\n", b"theirs\n")
    assert change is not None and change.outcome == "conflict"


def _new(project: Path, *options: str) -> None:
    result = runner.invoke(app, ["new", str(project), *options])
    assert result.exit_code == 0, result.output


def _update(project: Path, *options: str, code: int = 0) -> str:
    result = runner.invoke(app, ["update", str(project), *options])
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, bytes]]:
    """The bookstore, edited by hand, its models changed, then updated: the project, what
    update printed, and the project before the update."""
    project = tmp_path_factory.mktemp("update") / "shop"
    _new(project)
    edit_by_hand(project)
    change_models(project)
    before = tree(project)
    return project, _update(project), before


def test_update_keeps_the_hand_edits(updated: tuple[Path, str, dict[str, bytes]]) -> None:
    project, output, _ = updated
    for name, _, new in EDITS:
        assert new in (project / name).read_text()
    assert (project / "tests" / "test_book.py").read_text().endswith(HAND_WRITTEN_TEST)
    assert "merged          3" in output


def test_update_brings_the_new_column_and_relationship(
    updated: tuple[Path, str, dict[str, bytes]],
) -> None:
    project, output, _ = updated
    schemas = (project / "app" / "schemas" / "book.py").read_text()
    assert '    "subtitle",\n    "-subtitle",' in schemas  # sortable
    assert "subtitle__ilike" in schemas or "subtitle__eq" in schemas  # filterable
    assert 'BookInclude = Literal["author", "tags", "publisher"]' in schemas
    for name in PUBLISHER_FILES:
        mode = (project / "app" / "main.py").stat().st_mode
        assert (project / name).stat().st_mode == mode, name
    assert "added           4" in output


def test_update_reports_the_removed_model_s_files_and_keeps_them(
    updated: tuple[Path, str, dict[str, bytes]],
) -> None:
    project, output, before = updated
    for name in REVIEW_FILES:
        assert (project / name).read_bytes() == before[name]
    assert "rm " + " ".join(REVIEW_FILES) in output
    base = project / ".fe-gen" / "base"
    assert not (base / "app" / "schemas" / "review.py").exists()


def test_update_writes_the_migration_and_never_rewrites_a_revision(
    updated: tuple[Path, str, dict[str, bytes]],
) -> None:
    project, output, before = updated
    versions = project / "app" / "migrations" / "versions"
    initial = "app/migrations/versions/0001_initial.py"
    assert (project / initial).read_bytes() == before[initial]
    revision = next(versions.glob("0002_*.py"))
    text = revision.read_text()
    assert 'down_revision: str | None = "0001"' in text
    assert (
        "add_column" in text
        and '"subtitle"' in text
        and 'create_table(\n        "publishers"' in text
    )
    assert f"app/migrations/versions/{revision.name}" in output


def test_update_right_after_update_changes_nothing(
    updated: tuple[Path, str, dict[str, bytes]],
) -> None:
    project, _, _ = updated
    after = tree(project)
    output = _update(project)
    assert output.startswith("Up to date")
    assert tree(project) == after


def test_the_record_says_which_fe_gen_made_the_base(
    updated: tuple[Path, str, dict[str, bytes]],
) -> None:
    project, _, _ = updated
    record = json.loads((project / ".fe-gen" / "record.json").read_text())
    assert record["fe_gen"] and record["inputs"]["models"] == "app/models.py"


def test_an_overlapping_edit_gets_markers_and_exit_1(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    _new(project)
    schemas = project / "app" / "schemas" / "book.py"
    replace(schemas, 'BookInclude = Literal["author", "tags", "reviews"]', "BookInclude = str")
    change_models(project)
    output = _update(project, code=1)
    text = schemas.read_text()
    assert "<<<<<<< yours\nBookInclude = str\n" in text
    assert 'BookInclude = Literal["author", "tags", "publisher"]\n>>>>>>> fe-gen update' in text
    assert "conflict" in output and "app/schemas/book.py" in output
    assert '"subtitle",' in text  # what did not overlap is merged all the same
    # Until they are resolved, another update refuses to merge over them.
    result = subprocess.run(
        [sys.executable, "-m", "fe_gen.generator", "update", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "app/schemas/book.py still has conflict markers" in result.stderr


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    _new(project)
    edit_by_hand(project)
    change_models(project)
    before = tree(project)
    output = _update(project, "--diff")
    assert tree(project) == before
    assert "--- a/app/schemas/book.py\n+++ b/app/schemas/book.py\n" in output
    assert '+    "subtitle",\n' in output
    assert "+++ b/app/api/routes/publisher.py" in output
    assert "Would update" in output and "nothing was written" in output


def test_files_you_deleted_stay_deleted(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    _new(project)
    (project / "tests" / "test_book.py").unlink()
    change_models(project)
    output = _update(project)
    assert not (project / "tests" / "test_book.py").exists()
    assert "kept deleted    1" in output and "tests/test_book.py" in output


def test_a_newer_template_merges_into_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "shop"
    _new(project)
    edit_by_hand(project)
    old = json.loads((project / ".fe-gen" / "record.json").read_text())
    newer = tmp_path / "template"
    shutil.copytree(render.template_path(), newer)
    route = newer / "template" / "{{ plan.package }}" / "api" / "routes"
    template = next(route.glob("*.jinja"))
    replace(template, '"""HTTP endpoints for', '"""The HTTP endpoints for')
    monkeypatch.setattr(render, "template_path", lambda: newer)
    monkeypatch.setattr("fe_gen.generator.update.template_path", lambda: newer)
    output = _update(project)
    routes = project / "app" / "api" / "routes"
    assert (routes / "book.py").read_text().startswith('"""The HTTP endpoints for books.')
    assert EDITS[0][2] in (routes / "book.py").read_text()
    assert (routes / "author.py").read_text().startswith('"""The HTTP endpoints for authors.')
    record = json.loads((project / ".fe-gen" / "record.json").read_text())
    assert record["template"] != old["template"]
    assert "migration" not in output  # the tables are as they were


def test_a_project_from_a_models_package_follows_its_models(tmp_path: Path) -> None:
    packages = tmp_path / "packages"
    shutil.copytree(PACKAGES / "shop", packages / "shop")
    shutil.copy(PACKAGES / "shop.env", packages / "shop.env")
    project = tmp_path / "service"
    options = ["--models", "shop", "--path", str(packages), "--exclude", "shop.legacy*"]
    _new(project, *options, "--env-file", str(packages / "shop.env"))
    record = json.loads((project / ".fe-gen" / "record.json").read_text())["inputs"]
    assert record["path"] == "../packages" and record["env_file"] == "../packages/shop.env"
    replace(
        packages / "shop" / "catalog.py",
        "    name: Mapped[str] = mapped_column(String(100))\n",
        "    name: Mapped[str] = mapped_column(String(100))\n"
        "    sku: Mapped[str | None] = mapped_column(String(40))\n",
    )
    _update(project)
    assert '"sku",\n    "-sku",' in (project / "app" / "schemas" / "product.py").read_text()


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        pytest.param(lambda project: None, "has no .fe-gen/record.json", id="not-generated"),
        pytest.param(
            lambda project: (project / ".copier-answers.yml").write_text("_commit: v0.1.0+1\n"),
            "was generated by an fe-gen older than `fe-gen update`",
            id="older-fe-gen",
        ),
        pytest.param(
            lambda project: (project / "app" / "models.py").unlink(),
            "models file not found",
            id="models-copy-gone",
        ),
        pytest.param(
            lambda project: (project / ".fe-gen" / "record.json").write_text("{"),
            "is not a record fe-gen can read",
            id="broken-record",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2_and_writes_nothing(
    tmp_path: Path, prepare: object, message: str
) -> None:
    project = tmp_path / "shop"
    if "older" in message or message.startswith("has no"):
        project.mkdir()
    else:
        _new(project)
    prepare(project)  # type: ignore[operator]
    before = tree(project)
    result = subprocess.run(
        [sys.executable, "-m", "fe_gen.generator", "update", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert tree(project) == before


def test_without_the_project_s_dependencies_update_says_which_command_writes_the_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*arguments: object, **options: object) -> None:
        raise RevisionFailed("ModuleNotFoundError: No module named 'alembic'")

    monkeypatch.setattr("fe_gen.generator.update.autogenerate", fail)
    project = tmp_path / "shop"
    _new(project)
    change_models(project)
    output = _update(project)
    assert "write their migration (ModuleNotFoundError: No module named 'alembic')" in output
    assert f"  cd {project}\n" in output
    assert (
        '  migrate && alembic revision --autogenerate -m "fe-gen update: the models changed"'
        in output
    )
    assert not list((project / "app" / "migrations" / "versions").glob("0002_*"))
