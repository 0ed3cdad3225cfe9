"""The project's files as the models index reads them: the scanned ones first, the rest
of the project on a miss, found by a text search for the names they define."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from fe_gen.codemods.fileio import DecodeError, decode

# `class Name` at the start of a line (searched for by its keyword: a pattern that starts
# with `^` makes `re` try every position of every file), and `Base = declarative_base(`
_CLASS = re.compile(rb"class[ \t]+(\w+)")
_BASE = re.compile(
    rb"^(\w+)[ \t]*(?::[^=\n]*)?=[^\n]*(?:declarative_base|generate_base)\(", re.MULTILINE
)


class SourceSet:
    """The files a lookup may read: the scanned ones first, then the project's on a miss."""

    def __init__(
        self,
        files: Mapping[Path, bytes],
        more: Callable[[], Iterable[Path]] | None = None,
    ) -> None:
        self._files = dict(files)
        self._more = more
        self._defining: dict[str, list[Path]] | None = None
        self._expanded = False
        self._module_files: dict[tuple[str, Path | None], Path | None] = {}

    def defining(self, name: str) -> list[Path]:
        """Files that define `name` as a class or a declarative base (by a text search)."""
        if self._defining is None:
            self._defining = {}
            self._add(self._files.items())
        if name not in self._defining and not self._expanded and self._more is not None:
            self._expanded = True
            extra = [p for p in self._more() if p not in self._files]
            self._add((p, _read(p)) for p in extra)
        return self._defining.get(name, [])

    def _add(self, items: Iterable[tuple[Path, bytes]]) -> None:
        assert self._defining is not None
        self._module_files.clear()  # more files: a module may now be found
        for path, data in items:
            self._files.setdefault(path, data)
            for name in _defined(data):
                self._defining.setdefault(name, []).append(path)

    def module_file(self, module: str, from_path: Path) -> Path | None:
        """The one known file of `module` (absolute, or relative to `from_path`)."""
        key = (module, from_path.parent if module.startswith(".") else None)
        if key not in self._module_files:
            found = [path for path in self._files if module_matches(path, module, from_path)]
            self._module_files[key] = found[0] if len(found) == 1 else None
        return self._module_files[key]

    def text(self, path: Path) -> str | None:
        data = self._files.get(path)
        if data is None:
            return None
        try:
            return decode(data).text  # as Python reads it: BOM, coding cookie, UTF-8
        except DecodeError:
            return None


def _defined(data: bytes) -> Iterator[str]:
    """The names a file's text defines as classes or declarative bases, each time."""
    for match in _CLASS.finditer(data):
        start = match.start()
        if not data[data.rfind(b"\n", 0, start) + 1 : start].strip(b" \t"):  # first on its line
            yield match.group(1).decode()
    if b"declarative_base(" in data or b"generate_base(" in data:
        for match in _BASE.finditer(data):
            yield match.group(1).decode()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def module_matches(path: Path, module: str, from_path: Path) -> bool:
    """Whether `path` is the file of `module` (absolute, or relative to `from_path`)."""
    stem = path.parent if path.name == "__init__.py" else path.with_suffix("")
    if module.startswith("."):
        level = len(module) - len(module.lstrip("."))
        base = from_path.parent
        for _ in range(level - 1):
            base = base.parent
        rest = module[level:]
        target = base.joinpath(*rest.split(".")) if rest else base
        return os.path.normpath(stem) == os.path.normpath(target)
    parts = tuple(module.split("."))
    return stem.parts[-len(parts) :] == parts
