"""Which files a run looks at: the given paths, walked like ruff walks them.

Directories are walked for `*.py`, honouring every `.gitignore` from the repository root
down (and `.git/info/exclude`), and skipping virtualenvs (any folder with a `pyvenv.cfg`),
`site-packages`, build output and tool caches. Files named explicitly are always taken,
except those matching the configured `exclude` patterns (as pre-commit passes files one
by one, `exclude` must hold for them too).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pathspec

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
    in a single search, and only a path it matches goes through pathspec's exact,
    order-aware (negations) evaluation.
    """

    def __init__(self, base: Path, spec: pathspec.GitIgnoreSpec) -> None:
        self.base = str(base).rstrip(os.sep) + os.sep
        self.spec = spec
        regexes = [getattr(p, "regex", None) for p in spec.patterns if p.include is not None]
        parts = [_GROUP.sub("(?:", regex.pattern) for regex in regexes if regex is not None]
        self.any = re.compile("|".join(f"(?:{part})" for part in parts)) if parts else None

    def matches(self, path: Path, is_dir: bool) -> bool:
        text = str(path)
        if not text.startswith(self.base) or self.any is None:
            return False
        relative = text[len(self.base) :].replace(os.sep, "/")
        candidate = relative + "/" if is_dir else relative
        return self.any.search(candidate) is not None and self.spec.match_file(candidate)


def _load(base: Path, file: Path) -> _Ignore | None:
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    if not any(line.strip() and not line.startswith("#") for line in lines):
        return None
    return _Ignore(base, pathspec.GitIgnoreSpec.from_lines(lines))


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
    found = [_load(root, root / ".git" / "info" / "exclude")]
    chain = [folder, *folder.parents]
    for ancestor in reversed(chain[: chain.index(root) + 1] if root in chain else []):
        if ancestor != folder:
            found.append(_load(ancestor, ancestor / ".gitignore"))
    return [ignore for ignore in found if ignore is not None]


class Walker:
    """Finds the Python files under some paths; see the module docstring for the rules."""

    def __init__(self, exclude: Sequence[str] = (), exclude_base: Path | None = None) -> None:
        self._exclude = (
            _Ignore(exclude_base or Path.cwd(), pathspec.GitIgnoreSpec.from_lines(exclude))
            if exclude
            else None
        )

    def excluded(self, path: Path, is_dir: bool = False) -> bool:
        return self._exclude is not None and self._exclude.matches(path, is_dir)

    def files(self, paths: Iterable[Path]) -> list[Path]:
        """Every file to look at, each once, in a stable order."""
        seen: dict[Path, None] = {}
        for given in paths:
            absolute = Path(os.path.abspath(given))
            if absolute.is_dir():
                if not self.excluded(absolute, is_dir=True):
                    seen.update(dict.fromkeys(self._walk(absolute, _ancestor_ignores(absolute))))
            elif absolute.is_file() and not self.excluded(absolute):
                seen[absolute] = None
        return list(seen)

    def _walk(self, folder: Path, ignores: list[_Ignore]) -> Iterator[Path]:
        own = _load(folder, folder / ".gitignore")
        active = [*ignores, own] if own is not None else ignores
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            path = folder / entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info"):
                    continue
                if (path / "pyvenv.cfg").exists() or self._ignored(path, True, active):
                    continue
                yield from self._walk(path, active)
            elif (
                entry.name.endswith(".py")
                and entry.is_file()
                and not self._ignored(path, False, active)
            ):
                yield path

    def _ignored(self, path: Path, is_dir: bool, ignores: list[_Ignore]) -> bool:
        if self.excluded(path, is_dir):
            return True
        return any(ignore.matches(path, is_dir) for ignore in ignores)
