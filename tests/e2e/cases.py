"""The models each end-to-end case renders, shared by the suite tests and the fuzzing harness."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "models"
PACKAGES = Path(__file__).parents[1] / "fixtures" / "packages"

# The models options of each case, and whether its project needs PostgreSQL.
CASES: dict[str, tuple[list[str], bool]] = {
    "bookstore": ([], False),
    "travel": (["--models", str(FIXTURES / "travel.py")], False),
    "relations": (["--models", str(FIXTURES / "relations.py")], False),
    "readonly": (["--models", str(FIXTURES / "readonly.py")], False),
    "mixins": (["--models", str(FIXTURES / "mixins.py")], False),
    "imperative": (["--models", str(FIXTURES / "imperative.py")], False),
    "classic": (["--models", str(FIXTURES / "classic.py")], False),
    "conventions": (["--models", str(FIXTURES / "conventions.py")], False),
    "columns": (["--models", str(FIXTURES / "columns.py")], True),
    "inheritance": (["--models", str(FIXTURES / "inheritance.py")], False),
    "hierarchy": (["--models", str(FIXTURES / "hierarchy.py")], False),
    "recipes": (["--models", str(FIXTURES / "recipes.py")], False),
    "ledgers": (["--models", str(FIXTURES / "ledgers.py")], False),
    # Tables named import, class, from, core, health, docs, redoc ...: keyword and taken
    # module names, and models on FastAPI's documentation routes, which move.
    "awkward": (["--models", str(FIXTURES / "awkward.py")], False),
    # Columns with a precision, a length or fields, which filters must compare exactly.
    "exact": (["--models", str(FIXTURES / "exact.py")], False),
    # Functional indexes, a default compiled for some databases only, a key typed UUID4,
    # and an encrypted column, which is never filtered, sorted or paged on.
    "ring_columns": (["--models", str(FIXTURES / "ring_columns.py")], False),
    # Foreign keys in a cycle, and a JSON column under CHECK constraints (PostgreSQL's).
    "ring_schema": (["--models", str(FIXTURES / "ring_schema.py")], False),
    # A private class inside a single-table hierarchy, which gets no route, and classes made
    # by type() in a dict: the one no module names is left out, the one bound to a name kept.
    "ring_models": (["--models", str(FIXTURES / "ring_models.py")], False),
    # A models file that imports its package relatively: imported as depot.orm, where it is.
    "depot": (["--models", str(PACKAGES / "depot" / "orm.py")], False),
    # Domain classes mapped imperatively by a function the generated package calls at import.
    "studio": (["--models", "studio.orm:start_mappers", "--path", str(PACKAGES)], False),
    # A package imported where it is: Base, mixins and models in separate modules, settings
    # read from the environment at import, and a subpackage that must not be imported.
    "package": (
        [
            *("--models", "shop", "--path", str(PACKAGES)),
            *("--env-file", str(PACKAGES / "shop.env"), "--exclude", "shop.legacy*"),
        ],
        False,
    ),
}
# What the models of a case read from the environment when imported.
ENVIRONMENT = {"package": {"SHOP_DATABASE_URL": "sqlite://"}}


def environment(case: str, **overrides: str) -> dict[str, str]:
    """The environment a case's project runs in: ours without the project's own settings,
    plus the case's."""
    unset = ("DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL", "TEST_REDIS_URL")
    unset += ("ENVIRONMENT", "CURSOR_SECRET")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    return env | ENVIRONMENT.get(case, {}) | overrides


def render(case: str, dest: Path) -> None:
    """`fe-gen new DEST` with the case's models, through the real command line."""
    options, _ = CASES[case]
    result = subprocess.run(
        [sys.executable, "-m", "fe_gen.generator", "new", str(dest), *options],
        cwd=dest.parent,
        env=environment(""),  # the models see only what their options give them
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(f"fe-gen new {case} failed:\n{result.stdout}{result.stderr}")
