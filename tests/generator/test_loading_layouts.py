"""Layouts of real services: models reached only through imports, a models file inside a
package that imports its neighbours relatively. Each loads, and `fe-gen new` renders a
project whose imports of the models resolve."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from model_fixtures import PACKAGES

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import Source, TypeRef
from fe_gen.generator.loading import load_schema

DEPOT_ORM = PACKAGES / "depot" / "orm.py"


def fe_gen(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fe_gen.generator", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def imports_main(project: Path) -> subprocess.CompletedProcess[str]:
    """Import the generated app the way its pyproject's pythonpath does."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    entries = pyproject["tool"]["pytest"]["ini_options"].get("pythonpath", [])
    paths = [str(project), *(str((project / entry).resolve()) for entry in entries)]
    return subprocess.run(
        [sys.executable, "-P", "-c", "import app.main"],
        cwd=project,
        env=os.environ | {"PYTHONPATH": os.pathsep.join(paths)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_models_reached_only_through_the_modules_it_imports_are_read() -> None:
    schema = load_schema("relay.api", search_path=PACKAGES)
    assert [(model.name, model.module) for model in schema.models] == [
        ("Account", "relay.views.accounts"),
        ("Note", "relay.views.notes"),
    ]
    assert schema.bases == (TypeRef("relay.db", "Base"),)
    assert schema.source.module == "relay.api"


def test_a_module_that_imports_no_models_still_says_so() -> None:
    with pytest.raises(FeGenError) as caught:
        load_schema("relay.db", search_path=PACKAGES)
    assert caught.value.message.startswith("no mapped classes found in relay.db: ")


def test_a_project_from_models_reached_through_imports_imports_them(tmp_path: Path) -> None:
    result = fe_gen("new", "api", "--models", "relay.api", "--path", str(PACKAGES), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "api"
    queries = (project / "app" / "queries" / "note.py").read_text()
    assert "from relay.views.notes import Note" in queries
    imported = imports_main(project)
    assert imported.returncode == 0, imported.stderr


def test_a_models_file_with_relative_imports_loads_as_its_package_module() -> None:
    schema = load_schema(str(DEPOT_ORM))
    assert [model.name for model in schema.models] == ["Bin", "Parcel"]
    assert schema.source == Source(
        kind="module", location=str(DEPOT_ORM), module="depot.orm", root=str(PACKAGES.resolve())
    )
    assert [str(note) for note in schema.diagnostics] == [
        f"{DEPOT_ORM} imports from its package depot (from .base): fe-gen imports it as "
        "depot.orm, and the project imports it from where it is instead of copying it"
    ]


def test_a_models_file_named_relative_to_the_cwd_loads_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PACKAGES / "depot")
    schema = load_schema("orm.py")
    assert (schema.source.module, schema.source.location) == ("depot.orm", "orm.py")


def test_a_models_file_that_imports_its_package_by_name_loads_as_its_module(
    tmp_path: Path,
) -> None:
    package = tmp_path / "yard"
    package.mkdir()
    for name in ("__init__.py", "base.py", "naming.py", "orm.py"):
        source = (PACKAGES / "depot" / name).read_text()
        (package / name).write_text(source.replace("from .", "from yard."))
    schema = load_schema(str(package / "orm.py"))
    assert (schema.source.module, schema.source.root) == ("yard.orm", str(tmp_path))
    assert "imports from its package yard (from yard.base)" in str(schema.diagnostics[-1])


def test_a_relative_import_outside_a_package_is_refused_in_one_line(tmp_path: Path) -> None:
    models = tmp_path / "models.py"
    models.write_text("from .base import Base\n")
    with pytest.raises(FeGenError) as caught:
        load_schema(str(models))
    assert caught.value.message == (
        f"{models} imports relatively (from .base) but its folder {tmp_path} is no package "
        "(no __init__.py): add one, or pass the models as an import path with --path"
    )


def test_a_project_from_a_file_with_relative_imports_imports_its_package(tmp_path: Path) -> None:
    result = fe_gen("new", "api", "--models", str(DEPOT_ORM), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "api"
    assert not (project / "app" / "models.py").exists()
    assert "from depot.orm import Parcel" in (project / "app" / "queries" / "parcel.py").read_text()
    assert "imports from its package depot" in " ".join(result.stdout.split())
    imported = imports_main(project)
    assert imported.returncode == 0, imported.stderr


def test_models_mapped_by_a_function_are_read_once_it_is_named() -> None:
    schema = load_schema("studio.orm:start_mappers", search_path=PACKAGES)
    assert [(model.name, model.module) for model in schema.models] == [
        ("Contract", "studio.domain"),
        ("License", "studio.domain"),
        ("Offer", "studio.domain"),
    ]
    assert schema.source.setup == TypeRef("studio.orm", "start_mappers")
    assert not schema.source.setup_typed


def test_models_mapped_by_a_function_not_named_say_which_function_maps_them() -> None:
    with pytest.raises(FeGenError) as caught:
        load_schema("studio.orm", search_path=PACKAGES)
    assert caught.value.message == (
        "no mapped classes found in studio.orm: the models are mapped imperatively when a "
        "function runs; name the function that maps them all after ':' (module:function; "
        "these call map_imperatively: studio.orm:start_mappers)"
    )


def test_a_mapping_function_that_needs_arguments_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "mapping.py").write_text(
        "from sqlalchemy.orm import registry\n\n"
        "def start_mappers(mapper_registry: registry) -> None:\n"
        "    pass\n"
    )
    with pytest.raises(FeGenError) as caught:
        load_schema("mapping:start_mappers", search_path=tmp_path)
    assert caught.value.message == (
        "mapping:start_mappers: start_mappers() takes arguments; name a function that maps "
        "the models when called with none"
    )


def test_a_project_of_models_mapped_by_a_function_maps_them_at_import(tmp_path: Path) -> None:
    result = fe_gen(
        "new", "api", "--models", "studio.orm:start_mappers", "--path", str(PACKAGES), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "api"
    package = (project / "app" / "__init__.py").read_text()
    assert "from studio.orm import start_mappers\n\nstart_mappers()" in package
    imported = imports_main(project)
    assert imported.returncode == 0, imported.stderr
