"""Which files a run looks at: the given paths, walked like ruff walks them.

Directories are walked for `*.py`, honouring every `.gitignore` from the repository root
down (and `.git/info/exclude`), and skipping virtualenvs (any folder with a `pyvenv.cfg`),
`site-packages`, build output and tool caches. Files named explicitly are always taken,
except those matching the configured `exclude` patterns (as pre-commit passes files one
by one, `exclude` must hold for them too).

The walk handles paths as strings (`os.scandir`) and builds a `Path` only for the files
it returns: on a tree of a few hundred folders, `Path` arithmetic and one regex search
per entry were most of its time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec
    import pathspec.pattern

SKIP_DIRS = frozenset(
    {
        ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
        ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache",
        ".svn", ".tox", ".venv", ".vscode", "__pycache__", "__pypackages__", "_build",
        "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
    }
)  # fmt: skip


_GROUP = re.compile(r"\(\?P<\w+>")


class _Ignore:
    """Gitignore-style patterns anchored at `base`.

    Most paths match no pattern at all; one regex made of all the patterns answers that
    in a single pass, and only a path it matches goes through pathspec's exact,
    order-aware (negations) evaluation, built then. Gitignore patterns are anchored
    (`^...`), so the regex is tried at the start of the path only.
    """

    def __init__(self, base: str, lines: list[str]) -> None:
        self.base = base.rstrip(os.sep) + os.sep
        self.lines = lines
        self._spec: pathspec.GitIgnoreSpec | None = None
        translate = _pattern_class().pattern_to_regex
        regexes = [translate(line) for line in lines if line]
        parts = [_GROUP.sub("(?:", r) for r, include in regexes if r and include is not None]
        combined = re.compile("|".join(f"(?:{part})" for part in parts)) if parts else None
        anchored = all(part.startswith("^") for part in parts)
        self.any = None if combined is None else combined.match if anchored else combined.search

    @property
    def spec(self) -> pathspec.GitIgnoreSpec:
        if self._spec is None:
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(self.lines)
        return self._spec

    def matches(self, path: str, is_dir: bool) -> bool:
        if self.any is None or not path.startswith(self.base):
            return False
        relative = path[len(self.base) :]
        if os.sep != "/":
            relative = relative.replace(os.sep, "/")
        candidate = relative + "/" if is_dir else relative
        return self.any(candidate) is not None and self.spec.match_file(candidate)


_PATTERN: list[type[pathspec.pattern.RegexPattern]] = []  # a cache: GitIgnoreSpec's patterns


def _pattern_class() -> type[pathspec.pattern.RegexPattern]:
    """The pattern class GitIgnoreSpec uses, for its `pattern_to_regex`."""
    if not _PATTERN:
        import pathspec  # only a tree with a .gitignore or an `exclude` pays for its import

        pattern = pathspec.GitIgnoreSpec.from_lines(["*"]).patterns[0]
        assert isinstance(pattern, pathspec.pattern.RegexPattern)
        _PATTERN.append(type(pattern))
    return _PATTERN[0]


def _load(base: str, file: str) -> _Ignore | None:
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    if not any(line.strip() and not line.startswith("#") for line in lines):
        return None
    return _Ignore(base, lines)


def git_root(start: Path) -> Path | None:
    """The nearest ancestor (or `start`) holding a `.git` entry."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _ancestor_ignores(folder: Path) -> list[_Ignore]:
    root = git_root(folder)
    if root is None:
        return []
    found = [_load(str(root), os.path.join(root, ".git", "info", "exclude"))]
    chain = [folder, *folder.parents]
    for ancestor in reversed(chain[: chain.index(root) + 1] if root in chain else []):
        if ancestor != folder:
            found.append(_load(str(ancestor), os.path.join(ancestor, ".gitignore")))
    return [ignore for ignore in found if ignore is not None]


class Walker:
    """Finds the Python files under some paths; see the module docstring for the rules."""

    def __init__(self, exclude: Sequence[str] = (), exclude_base: Path | None = None) -> None:
        self._exclude: _Ignore | None = None
        if exclude:
            self._exclude = _Ignore(str(exclude_base or Path.cwd()), list(exclude))

    def excluded(self, path: Path | str, is_dir: bool = False) -> bool:
        return self._exclude is not None and self._exclude.matches(str(path), is_dir)

    def files(self, paths: Iterable[Path]) -> list[Path]:
        """Every file to look at, each once, in a stable order."""
        seen: dict[Path, None] = {}
        for given in paths:
            absolute = Path(os.path.abspath(given))
            if absolute.is_dir():
                if not self.excluded(absolute, is_dir=True):
                    found = self._walk(str(absolute), _ancestor_ignores(absolute))
                    seen.update(dict.fromkeys(map(Path, found)))
            elif absolute.is_file() and not self.excluded(absolute):
                seen[absolute] = None
        return list(seen)

    def _walk(self, folder: str, ignores: list[_Ignore]) -> Iterator[str]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        own = None
        if any(entry.name == ".gitignore" for entry in entries):
            own = _load(folder, os.path.join(folder, ".gitignore"))
        active = [*ignores, own] if own is not None else ignores
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if name in SKIP_DIRS or name.endswith(".egg-info"):
                    continue
                path = entry.path
                if os.path.exists(os.path.join(path, "pyvenv.cfg")):
                    continue
                if not self._ignored(path, True, active):
                    yield from self._walk(path, active)
            elif (
                name.endswith(".py")
                and entry.is_file()
                and not self._ignored(entry.path, False, active)
            ):
                yield entry.path

    def _ignored(self, path: str, is_dir: bool, ignores: list[_Ignore]) -> bool:
        if self._exclude is not None and self._exclude.matches(path, is_dir):
            return True
        return any(ignore.matches(path, is_dir) for ignore in ignores)
