"""Golden test: the project rendered from the bundled bookstore, file by file.

Every template change shows up here as a reviewable diff. After an intended change,
regenerate the goldens with:

    pytest tests/generator/test_golden.py --update-goldens
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from fe_gen.generator.loading import load_schema
from fe_gen.generator.render import render_project

GOLDEN = Path(__file__).parents[1] / "golden" / "bookstore"


def _rendered(root: Path) -> dict[str, str]:
    files = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        # The base is the project's generated files again, byte for byte (tests/update).
        if path.is_file() and not name.startswith(".fe-gen/base/"):
            text = path.read_text()
            if name == ".fe-gen/record.json":
                # The template's hash changes with every template change, not with the record.
                text = re.sub(r'"template": "\w+"', '"template": "<template hash>"', text)
            files[name] = text
    return files


def test_bookstore_project_matches_the_goldens(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    project = render_project(load_schema(None), tmp_path / "shop").dest
    rendered = _rendered(project)
    if request.config.getoption("--update-goldens"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in rendered.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text)
    golden = _rendered(GOLDEN)
    assert sorted(rendered) == sorted(golden), "files differ: run with --update-goldens if intended"
    for name, text in rendered.items():
        assert text == golden[name], f"{name} differs: run with --update-goldens if intended"
