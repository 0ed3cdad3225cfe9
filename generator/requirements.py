"""The distributions the models' own code imports: the generated project depends on them.

The project imports the models (copied in, or where they live), so `pip install -e .` of it
must bring what they import: `flask_sqlalchemy`, `slugify`, `sqlalchemy_utils`... Runs in the
child process, after the models were imported: a module counts only when it was really
imported (not a failed optional import), and never from under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Set
from importlib import metadata
from pathlib import Path

# What the generated project depends on already (its pyproject.toml.jinja), with what those
# bring along; fe-gen is the generator, not a dependency.
_PROVIDED = frozenset(
    {"fastapi", "starlette", "pydantic", "pydantic-core", "pydantic-settings", "sqlalchemy"}
    | {"greenlet", "aiosqlite", "asyncpg", "orjson", "uvicorn", "typing-extensions", "fe-gen"}
)


def imported_distributions(roots: Iterable[Path], before: Set[str]) -> tuple[str, ...]:
    """`name>=version` for the installed distributions the user's modules (those imported
    from under `roots`) need, sorted by name: each one they import themselves, and each
    one importing them loaded (modules not in `before`) that no other of these requires,
    such as a database driver an engine built at import loads. Those required by another
    come with it, and are left out."""
    folders = [root.resolve() for root in roots]
    own_files = [file for file in _loaded_files() if _is_own(file, folders)]
    excluded = set(sys.stdlib_module_names) | {_top_level_of(f, folders) for f in own_files}
    loaded = {name.partition(".")[0] for name in list(sys.modules)} - excluded
    direct = set().union(*(_imported_names(file) for file in own_files)) & loaded
    providers = metadata.packages_distributions()
    named = {
        _canonical(distribution): distribution
        for name in loaded - {name.partition(".")[0] for name in before}
        for distribution in providers.get(name, ())
    }
    required = {needed for key in named for needed in _requires(named[key])}
    chosen = {key: name for key, name in named.items() if key not in required}
    for name in direct:
        chosen |= {_canonical(each): each for each in providers.get(name, ())}
    return tuple(
        f"{chosen[key]}>={metadata.version(chosen[key])}"
        for key in sorted(chosen)
        if key not in _PROVIDED
    )


def _requires(distribution: str) -> set[str]:
    """The distributions `distribution` always requires (not those of its extras)."""
    needed = set()
    for requirement in metadata.requires(distribution) or ():
        name, _, marker = requirement.partition(";")
        if "extra" not in marker:
            match = _NAME.match(name.strip())
            if match:
                needed.add(_canonical(match.group()))
    return needed


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _loaded_files() -> list[Path]:
    files = []
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and file.endswith(".py"):
            files.append(Path(file).resolve())
    return files


def _is_own(file: Path, folders: list[Path]) -> bool:
    if "site-packages" in file.parts or "dist-packages" in file.parts:
        return False
    return any(file.is_relative_to(folder) for folder in folders)


def _top_level_of(file: Path, folders: list[Path]) -> str:
    """`shop` for `<root>/shop/models.py`, `models` for `<root>/models.py`."""
    for folder in folders:
        if file.is_relative_to(folder):
            first = file.relative_to(folder).parts[0]
            return first.removesuffix(".py")
    return ""


def _imported_names(file: Path) -> set[str]:
    """The top-level names a module's absolute imports name, but under `if TYPE_CHECKING:`."""
    try:
        tree = ast.parse(file.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))
    return names


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _canonical(name: str) -> str:
    """The normalised form of a distribution name (PEP 503): `Flask_SQLAlchemy` ->
    `flask-sqlalchemy`."""
    return re.sub(r"[-_.]+", "-", name).lower()
