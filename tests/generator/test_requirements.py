"""The distributions a generated project needs because its models import them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fe_gen.generator.requirements import imported_distributions


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site folder holding one installed distribution, `Fancy-Slugs` 1.2 (`fancyslugs`),
    and a project folder beside it, both on sys.path."""
    packages = tmp_path / "site-packages"
    (packages / "fancyslugs").mkdir(parents=True)
    (packages / "fancyslugs" / "__init__.py").write_text("def slug(text): return text\n")
    info = packages / "Fancy_Slugs-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: Fancy-Slugs\nVersion: 1.2\n")
    (info / "top_level.txt").write_text("fancyslugs\n")
    project = tmp_path / "project"
    (project / "blog").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(packages))
    monkeypatch.syspath_prepend(str(project))
    importlib.invalidate_caches()
    yield project
    for name in [name for name in sys.modules if name.startswith(("blog", "fancy"))]:
        del sys.modules[name]


def test_a_distribution_the_models_import_is_required(site: Path) -> None:
    (site / "blog" / "__init__.py").write_text("")
    (site / "blog" / "models.py").write_text(
        "import json\n"
        "from typing import TYPE_CHECKING\n"
        "from fancyslugs import slug\n"
        "import sqlalchemy\n"
        "from blog import helpers\n"
        "if TYPE_CHECKING:\n"
        "    import pytest\n"
    )
    (site / "blog" / "helpers.py").write_text("")
    before = set(sys.modules)
    importlib.import_module("blog.models")
    # Not the standard library, the models' own package, what the generated project
    # depends on anyway (sqlalchemy), or what only type checking imports (pytest).
    assert imported_distributions([site], before) == ("Fancy-Slugs>=1.2",)


def test_models_that_import_nothing_installed_require_nothing(site: Path) -> None:
    (site / "blog" / "__init__.py").write_text("import os\nimport sqlalchemy.orm\n")
    before = set(sys.modules)
    importlib.import_module("blog")
    assert imported_distributions([site], before) == ()


def test_a_distribution_loaded_on_the_way_is_required_unless_another_requires_it(
    site: Path,
) -> None:
    """An engine built at import loads its driver, which no one imports by name."""
    packages = next(Path(entry) for entry in sys.path if entry.endswith("site-packages"))
    (packages / "fancyslugs" / "__init__.py").write_text("import fancydriver\nimport fancyrx\n")
    for name in ("fancydriver", "fancyrx"):
        (packages / name).mkdir()
        (packages / name / "__init__.py").write_text("")
        info = packages / f"{name}-2.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 2.0\n")
        (info / "top_level.txt").write_text(f"{name}\n")
    slugs = packages / "Fancy_Slugs-1.2.dist-info" / "METADATA"
    slugs.write_text(slugs.read_text() + "Requires-Dist: fancyrx>=1\n")
    (site / "blog" / "__init__.py").write_text("import fancyslugs\n")
    before = set(sys.modules)
    importlib.import_module("blog")
    assert imported_distributions([site], before) == ("Fancy-Slugs>=1.2", "fancydriver>=2.0")
