"""End to end: a generated bookstore, edited by hand, follows its changed models.

`fe-gen update` runs through the real command line, then the owner does what its summary
says (delete the removed model's files) and runs what the generated README says: the suite
on SQLite and PostgreSQL, ruff and mypy. The same for a project from a models package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.cases import PACKAGES, environment, render
from tests.e2e.test_generated_projects import run, suite
from tests.e2e.update_scenario import REVIEW_FILES, change_models, edit_by_hand, replace


def fe_gen_update(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fe_gen.generator", "update", str(project)],
        cwd=project.parent,
        env=environment(""),
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def bookstore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("update") / "bookstore"
    render("bookstore", project)
    edit_by_hand(project)
    change_models(project)
    result = fe_gen_update(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rm " + " ".join(REVIEW_FILES) in result.stdout
    for name in REVIEW_FILES:
        (project / name).unlink()
    return project


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project from the models package `shop`, whose Product gains a column."""
    root = tmp_path_factory.mktemp("update-package")
    shutil.copytree(PACKAGES / "shop", root / "packages" / "shop")
    shutil.copy(PACKAGES / "shop.env", root / "packages" / "shop.env")
    project = root / "package"
    options = ["--models", "shop", "--path", str(root / "packages"), "--exclude", "shop.legacy*"]
    options += ["--env-file", str(root / "packages" / "shop.env")]
    result = subprocess.run(
        [sys.executable, "-m", "fe_gen.generator", "new", str(project), *options],
        env=environment(""),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    replace(
        root / "packages" / "shop" / "catalog.py",
        "    name: Mapped[str] = mapped_column(String(100))\n",
        "    name: Mapped[str] = mapped_column(String(100))\n"
        "    sku: Mapped[str | None] = mapped_column(String(40))\n",
    )
    result = fe_gen_update(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "review the migration" in result.stdout
    return project


def test_the_updated_suite_passes_on_sqlite(bookstore: Path, redis_url: str) -> None:
    output = suite(bookstore, TEST_REDIS_URL=redis_url)
    assert "failed" not in output and "skipped" not in output
    assert "test_hand_written_fields_read_back" not in output  # it ran, quietly, and passed


def test_the_updated_suite_passes_on_postgresql(
    bookstore: Path, postgres_database: str, redis_url: str
) -> None:
    output = suite(bookstore, DATABASE_URL=postgres_database, TEST_REDIS_URL=redis_url)
    assert "passed" in output and "failed" not in output and "skipped" not in output


@pytest.mark.parametrize("fixture", ["bookstore", "package"])
def test_the_updated_project_is_lint_format_and_type_clean(
    fixture: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project: Path = request.getfixturevalue(fixture)
    ruff = [sys.executable, "-m", "ruff"]
    for command in ([*ruff, "check", "."], [*ruff, "format", "--check", "."]):
        result = run(command, project)
        assert result.returncode == 0, result.stdout + result.stderr
    cache = tmp_path_factory.getbasetemp() / "mypy-cache-update"
    result = run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], project)
    assert result.returncode == 0, result.stdout + result.stderr


NEW_COLUMN_AND_INCLUDE = """
import asyncio, os
from tests import factories
from tests.conftest import serve

async def main() -> None:
    async with serve(os.environ["URL"]) as client:
        publisher = (await client.post("/publishers", json={"name": "Verso"})).json()
        for subtitle in ("b", "a", None):
            payload = await factories.book_payload(client)
            payload |= {"subtitle": subtitle, "publisher_id": publisher["id"]}
            response = await client.post("/books", json=payload)
            assert response.status_code == 201, response.text
        page = await client.get("/books", params={"sort": "-subtitle", "include": "publisher"})
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        print([item["subtitle"] for item in items])
        print({item["publisher"]["name"] for item in items})
        filtered = await client.get("/books", params={"subtitle": "a"})
        print([item["subtitle"] for item in filtered.json()["items"]])

asyncio.run(main())
"""


def test_the_new_column_filters_and_sorts_and_the_new_include_works(
    bookstore: Path, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'update.db'}"
    result = run([sys.executable, "-c", NEW_COLUMN_AND_INCLUDE], bookstore, URL=url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["['b', 'a', None]", "{'Verso'}", "['a']"]


def test_a_project_from_a_models_package_passes_after_update(package: Path) -> None:
    output = suite(package, SHOP_DATABASE_URL="sqlite://")
    assert "passed" in output and "failed" not in output
    assert '"sku",\n    "-sku",' in (package / "app" / "schemas" / "product.py").read_text()


def test_a_project_from_a_models_package_passes_after_update_on_postgresql(
    package: Path, postgres_database: str, redis_url: str
) -> None:
    output = suite(
        package,
        SHOP_DATABASE_URL="sqlite://",
        DATABASE_URL=postgres_database,
        TEST_REDIS_URL=redis_url,
    )
    assert "passed" in output and "failed" not in output and "skipped" not in output
