"""What went wrong while importing the user's models, in one line that says what to do.

The message comes from the exception's type and from the last traceback frame inside the
user's own files (`shop/db.py:7: ...`), never from a traceback dump.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import site
import sys
import sysconfig
import tokenize
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import exc

PATH_HINT = "install it or pass --path DIR with the directory that holds it"
_ENV_HINT = "pass --env-file FILE or set it in the environment"


@dataclass(frozen=True)
class _Frame:
    file: str
    line: int
    module: str | None
    globals: dict[str, Any]


def display_path(path: str | Path) -> str:
    """A path relative to the current directory when it is inside it, else absolute."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


def describe(error: BaseException, *, module: str, roots: Sequence[Path]) -> str:
    """One line for an exception raised while importing `module` from files under `roots`
    (FeGenError keeps a library's message of several lines on it)."""
    if isinstance(error, SyntaxError):
        return _syntax_error(error, module)
    frames = _user_frames(error.__traceback__, roots)
    frame = frames[-1] if frames else None
    where = f"{display_path(frame.file)}:{frame.line}: " if frame else ""
    importing = (frame.module if frame else None) or module
    circular = _circular_import(error, importing, frames)
    return where + (circular or _what(error, module=module, importing=importing, frame=frame))


# Python's words for `from a import Name` that fails; while `a` is still running (a imports
# b imports a), it says "partially initialized" unless `a` is a file imported by path.
_CANNOT_IMPORT = re.compile(
    r"cannot import name '(?P<name>[^']+)' from (?P<partial>partially initialized module )?"
    r"'(?P<module>[^']+)'"
)


def _circular_import(error: BaseException, importing: str, frames: list[_Frame]) -> str | None:
    found = _CANNOT_IMPORT.search(str(error)) if isinstance(error, ImportError) else None
    if found is None:
        return None
    name, unfinished = found["name"], found["module"]
    cycle = _cycle(unfinished, [frame.module for frame in frames])
    if cycle is None and not found["partial"]:
        return None
    return (
        f"circular import{f' ({cycle})' if cycle else ''}: {importing} imports {name} from "
        f"{unfinished}, which has not defined it yet; import it under `if TYPE_CHECKING:` if "
        f"only annotations need it, else move {name} to a module that both import"
    )


def _what(error: BaseException, *, module: str, importing: str, frame: _Frame | None) -> str:
    if isinstance(error, ModuleNotFoundError):
        return _module_not_found(error, module=module, importing=importing, frame=frame)
    if isinstance(error, ImportError):
        return (
            f"{importing}: {_without_location(error)}; fix the import, or install the version "
            "of the dependency that provides it"
        )
    if isinstance(error, KeyError) and _from_environ(error.__traceback__):
        variable = error.args[0] if error.args else "?"
        return f"{importing} reads environment variable {variable!r}, which is not set; {_ENV_HINT}"
    setting = _missing_setting(error)
    if setting is not None:
        return f"{importing} reads setting {setting!r}, which is not set; {_ENV_HINT}"
    if _is_validation_error(error):
        return _settings_error(error, importing=importing, frame=frame)
    if isinstance(error, exc.DBAPIError | ConnectionError):
        return (
            f"{importing} connects to the database at import and that failed: "
            f"{_dbapi_message(error)}; connect lazily, or pass --env-file FILE with a "
            "reachable database URL"
        )
    if isinstance(error, SystemExit):
        return f"{importing} called sys.exit({error.code!r}) at import"
    unkeyed = _NO_PRIMARY_KEY.search(str(error)) if isinstance(error, exc.ArgumentError) else None
    if unkeyed is not None:
        return (
            f"{unkeyed['model']}: table {unkeyed['table']} has no primary key, so SQLAlchemy "
            "can't map it; declare primary_key=True on its key column(s)"
        )
    return f"importing {importing} raised {type(error).__name__}: {_one_line(error)}"


# SQLAlchemy's words for a class whose table has no primary key (Mapper[Model(table)]).
_NO_PRIMARY_KEY = re.compile(
    r"Mapper\[(?P<model>[^(\]]+)\(.*\)\] could not assemble any primary key columns "
    r"for mapped table '(?P<table>[^']*)'"
)


# Settings libraries' own words for a variable that is missing: starlette's Config
# ("Config 'SECRET_KEY' is missing, and has no default.") and python-decouple's.
_MISSING_SETTING = (
    re.compile(r"Config '(?P<name>[^']+)' is missing"),
    re.compile(r"^(?P<name>\w+) not found\. Declare it as envvar"),
)


def _missing_setting(error: BaseException) -> str | None:
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    for pattern in _MISSING_SETTING:
        match = pattern.search(text)
        if match:
            return match.group("name")
    return None


def _without_location(error: ImportError) -> str:
    """The ImportError text without its trailing site-packages path in parentheses."""
    return re.sub(r" \([^()]*\)$", "", _one_line(error))


def _syntax_error(error: SyntaxError, module: str) -> str:
    filename = error.filename or _source_of(module)
    if filename and _UNREADABLE.search(str(error.msg)):
        problem = _not_source_text(Path(filename), module)
        if problem is not None:
            return problem
    where = display_path(filename) if filename else "<unknown>"
    return f"{where}:{error.lineno}: syntax error: {error.msg}"


# What the compiler says of bytes it can't read as source (and of bad escapes in strings,
# which _not_source_text then finds readable).
_UNREADABLE = re.compile(r"^\(unicode error\)|null bytes|^Non-UTF-8 code")
# Control bytes that text has; any other says the file is not text at all.
_TEXT_CONTROLS = frozenset(b"\t\n\v\f\r")


def _source_of(module: str) -> str | None:
    """The file of `module`, which a SyntaxError about null bytes does not name."""
    loaded = sys.modules.get(module)
    if loaded is not None and getattr(loaded, "__file__", None):
        return str(loaded.__file__)
    parent = module.rpartition(".")[0]
    if parent and parent not in sys.modules:
        return None  # finding it would import (run) its package
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.has_location else None


def _not_source_text(path: Path, module: str) -> str | None:
    """Why the file at `path` is not source text Python can read, or None if it is."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # a first line that is not UTF-8 either, or an unknown codec
        encoding = "utf-8"
    name = "UTF-8" if encoding.startswith("utf-8") else encoding
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        byte, at = data[error.start], error.start
        if _is_binary(data):
            return _binary(path, module, f"not {name} text: byte 0x{byte:02x} at position {at}")
        line = data.count(b"\n", 0, at) + 1
        column = at - data.rfind(b"\n", 0, at)
        return (
            f"{display_path(path)}:{line}: not {name} text (byte 0x{byte:02x} at column "
            f"{column}); save the file as UTF-8, or declare its encoding on its first line "
            "(# -*- coding: latin-1 -*-)"
        )
    nul = data.find(b"\0")
    return _binary(path, module, f"a NUL byte at position {nul}") if nul >= 0 else None


def _is_binary(data: bytes) -> bool:
    """Whether the first 8 KiB hold control bytes that no text has (NUL among them)."""
    return any(byte < 0x20 and byte not in _TEXT_CONTROLS for byte in data[:8192])


def _binary(path: Path, module: str, why: str) -> str:
    hint = (
        f"remove it or leave it out with --exclude {module}"
        if "." in module
        else "pass the .py file that defines the models"
    )
    return f"{display_path(path)} is not a Python source file ({why}); {hint}"


def _module_not_found(
    error: ModuleNotFoundError, *, module: str, importing: str, frame: _Frame | None
) -> str:
    missing = error.name or _one_line(error)
    if frame is None:
        return f"cannot import {module}: no module named {missing!r}; {PATH_HINT}"
    return f"{importing} imports {missing!r}, which cannot be found; {PATH_HINT}"


def _from_environ(tb: TracebackType | None) -> bool:
    """True when the KeyError came out of `os.environ[...]`."""
    frames = traceback.extract_tb(tb)
    if not frames:
        return False
    last = frames[-1]
    return last.name == "__getitem__" and last.filename in (os.__file__, "<frozen os>")


def _is_validation_error(error: BaseException) -> bool:
    cls = type(error)
    return cls.__name__ == "ValidationError" and cls.__module__.startswith("pydantic")


def _settings_error(error: Any, *, importing: str, frame: _Frame | None) -> str:
    """A pydantic-settings ValidationError: name the missing variables or invalid fields."""
    title = str(getattr(error, "title", "settings"))
    problems: list[dict[str, Any]] = list(error.errors())
    missing = [_field(problem) for problem in problems if problem.get("type") == "missing"]
    if missing:
        prefix = _env_prefix(frame.globals.get(title) if frame else None)
        names = ", ".join((prefix + name).upper() for name in missing)
        return (
            f"{importing} builds {title} at import, which needs the environment variable(s) "
            f"{names}; pass --env-file FILE or set them in the environment"
        )
    first = problems[0] if problems else {"loc": (), "msg": _one_line(error)}
    return (
        f"{importing} builds {title} at import and {_field(first)} is invalid: "
        f"{first.get('msg')}; fix its environment variable or pass --env-file FILE"
    )


def _field(problem: dict[str, Any]) -> str:
    return ".".join(str(part) for part in problem.get("loc", ())) or "?"


def _env_prefix(settings_class: object) -> str:
    config = getattr(settings_class, "model_config", None)
    prefix = config.get("env_prefix") if isinstance(config, dict) else None
    return prefix if isinstance(prefix, str) else ""


def _dbapi_message(error: BaseException) -> str:
    original = getattr(error, "orig", None)
    if original is None:
        return _one_line(error)
    return f"({type(original).__module__}.{type(original).__name__}) {_one_line(original)}"


def _cycle(unfinished: str, modules: list[str | None]) -> str | None:
    """`a -> b -> a`: the modules of the traceback from the unfinished one, still running
    above the failing frame, back to it; None if it is not running."""
    running = modules[:-1]
    if unfinished not in running:
        return None
    start = len(running) - 1 - running[::-1].index(unfinished)
    chain: list[str] = []
    for module in modules[start:]:
        if module and (not chain or chain[-1] != module):
            chain.append(module)
    return " -> ".join([*chain, unfinished])


def _user_frames(tb: TracebackType | None, roots: Sequence[Path]) -> list[_Frame]:
    """The traceback's frames in the user's own files, outermost first."""
    found: list[_Frame] = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if _is_user_file(code.co_filename, roots):
            frame_globals = tb.tb_frame.f_globals
            name = frame_globals.get("__name__")
            found.append(_Frame(code.co_filename, tb.tb_lineno, name, frame_globals))
        tb = tb.tb_next
    return found


def _is_user_file(filename: str, roots: Sequence[Path]) -> bool:
    if filename.startswith("<"):
        return False
    path = Path(filename).resolve()
    if any(path.is_relative_to(place) for place in _not_user_places()):
        return False
    return any(path.is_relative_to(root) for root in roots)


def _not_user_places() -> list[Path]:
    """The interpreter's own trees and fe-gen's package: never the user's code."""
    paths = sysconfig.get_paths()
    places = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    places.update(site.getsitepackages())
    fe_gen = Path(__file__).resolve().parent
    return [Path(place).resolve() for place in places] + [fe_gen]


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text.split(" (Background on this error at:")[0]
