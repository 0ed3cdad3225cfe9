"""A models file or import path -> Schema, importing the user's code in a child process.

Importing models runs arbitrary code: settings read at import, engines that connect, imports
that hang or crash the interpreter. The child (`_introspect_child`) takes all of that; this
side only builds the request, waits with a timeout and turns every failure into one line.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib.resources
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import Diagnostic, Schema

_CHILD = "fe_gen.generator._introspect_child"


@dataclass(frozen=True)
class _Request:
    """What the child imports, as the user named it."""

    kind: str
    location: str
    module: str
    target: str
    attribute: str | None
    sys_path: tuple[str, ...]
    roots: tuple[str, ...]
    exclude: tuple[str, ...]
    note: str | None = None
    """What the user should know about how the models were imported, for the summary."""

    def to_json(self) -> str:
        return json.dumps(self.__dict__)


def load_schema(
    spec: str | None,
    *,
    search_path: Path | None = None,
    exclude: Sequence[str] = (),
    env_file: Path | None = None,
    timeout: float = 60.0,
) -> Schema:
    """Import the models that `spec` names in a child process and read them into a Schema.

    `spec` is a models file (`app/models.py`, optionally `app/models.py:Base`), an import path
    (`app.models`, `app.models:Base`, a package to import whole), or None for the bundled
    bookstore example. Raises FeGenError with one line for anything that goes wrong.
    """
    environment = _child_environment(env_file)
    with _bundled_example() if spec is None else contextlib.nullcontext(spec) as named:
        request = _request(str(named), search_path, exclude)
        schema = Schema.from_dict(_run_child(request, environment, timeout))
    if request.note is None:
        return schema
    note = Diagnostic("warning", None, None, request.note)
    return dataclasses.replace(schema, diagnostics=(*schema.diagnostics, note))


def import_in_child(
    spec: str, *, child: str, answer: str, roots: Sequence[Path], timeout: float
) -> Any:
    """Import the module (or models file) `spec` names, with `roots` on sys.path, in a
    child process running the module `child`, and return what its last message holds
    under `answer`. A hang, a crash or an error in the user's code is one line naming the
    module. `fe-gen optimize --models` reads the mappers this way."""
    request = _request(spec, roots[0], ())
    folders = tuple(str(root.resolve()) for root in roots)
    request = dataclasses.replace(
        request,
        sys_path=tuple(dict.fromkeys((*request.sys_path, *folders))),
        roots=tuple(dict.fromkeys((*request.roots, *folders))),
    )
    return _run_child(request, _child_environment(None), timeout, child, answer)


@contextlib.contextmanager
def _bundled_example() -> Iterator[str]:
    resource = importlib.resources.files("fe_gen.examples") / "bookstore" / "models.py"
    with importlib.resources.as_file(resource) as path:
        yield str(path)


def _request(spec: str, search_path: Path | None, exclude: Sequence[str]) -> _Request:
    if not spec.strip():
        raise FeGenError(
            "--models is empty: pass a models file (path/models.py) or an import path "
            "(pkg.models), or leave the option out for the bundled bookstore"
        )
    target, _, attribute = split_attribute(spec)
    if search_path is not None and not search_path.is_dir():
        raise FeGenError(f"--path {search_path} is not a directory")
    if _looks_like_file(target):
        return _file_request(target, attribute or None, search_path)
    if not all(part.isidentifier() for part in target.split(".")):
        raise FeGenError(
            f"--models {spec!r}: neither a .py file nor an import path; pass a models file "
            "(path/models.py) or a dotted module name (pkg.models, pkg.models:Base)"
        )
    root = str((search_path or Path.cwd()).resolve())
    return _Request(
        kind="module",
        location=spec,
        module=target,
        target=target,
        attribute=attribute or None,
        sys_path=(root,),
        roots=(root,),
        exclude=tuple(exclude),
    )


def split_attribute(spec: str) -> tuple[str, str, str]:
    """`pkg.models:Base` -> (`pkg.models`, `:`, `Base`); a Windows drive colon stays put."""
    head, colon, tail = spec.rpartition(":")
    if colon and tail and "/" not in tail and "\\" not in tail and len(head) > 1:
        return head, colon, tail
    return spec, "", ""


def _looks_like_file(target: str) -> bool:
    """A path, not a dotted import path (`shop` may be a package directory in the cwd)."""
    return target.endswith(".py") or "/" in target or os.sep in target or Path(target).is_file()


def _file_request(target: str, attribute: str | None, search_path: Path | None) -> _Request:
    """A models file; `search_path` (--path) is where the packages it imports live."""
    path = Path(target)
    if not path.exists():
        raise FeGenError(f"models file not found: {target}")
    if path.is_dir() or path.suffix != ".py":
        kind = "a directory" if path.is_dir() else "not Python source"
        raise FeGenError(
            f"not a .py file: {target} ({kind}); pass a models file, or an import path "
            "such as pkg.models with --path DIR"
        )
    _check_not_empty(path, target)
    directory = str(path.resolve().parent)
    extra = (str(search_path.resolve()),) if search_path is not None else ()
    statement = _own_package_import(path)
    if statement is not None:
        return _package_file_request(path, target, attribute, statement, extra)
    return _Request(
        kind="file",
        location=target,
        module=path.stem,
        target=str(path.resolve()),
        attribute=attribute,
        sys_path=extra,
        roots=(directory, *extra),
        exclude=(),
    )


def _own_package_import(path: Path) -> str | None:
    """The first import the file makes from its own package (`from .base`, `from shop.base`):
    such a file works only imported as its package's module, not as a file alone."""
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return None  # the child reports it, with its line
    parts = _package_parts(path.resolve().parent)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            return "from " + "." * node.level + (node.module or "")
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if parts and any(name.split(".")[0] == parts[0] for name in names):
            return f"{'from' if isinstance(node, ast.ImportFrom) else 'import'} {names[0]}"
    return None


def _package_parts(directory: Path) -> list[str]:
    """`[shop, sub]` for a folder shop/sub/ that is a package in a package: every folder
    holding an `__init__.py`, from the topmost down."""
    parts: list[str] = []
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return parts


def _package_file_request(
    path: Path, target: str, attribute: str | None, statement: str, extra: tuple[str, ...]
) -> _Request:
    """A models file that imports from its package, imported as the module it is there, with
    the package's folder on sys.path: what `--models pkg.module --path ROOT` does."""
    folder = path.resolve().parent
    parts = _package_parts(folder)
    if not parts:
        raise FeGenError(
            f"{target} imports relatively ({statement}) but its folder {folder} is no package "
            "(no __init__.py): add one, or pass the models as an import path with --path"
        )
    if not all(part.isidentifier() for part in parts):
        raise FeGenError(
            f"{target} imports from its package ({statement}), but {'.'.join(parts)} is no "
            "module name Python can import: rename its folders, or copy the models out of it"
        )
    module = ".".join(parts if path.stem == "__init__" else [*parts, path.stem])
    root = str(folder.parents[len(parts) - 1])
    return _Request(
        kind="module",
        location=target,
        module=module,
        target=module,
        attribute=attribute,
        sys_path=(root, *extra),
        roots=(root, *extra),
        exclude=(),
        note=(
            f"{target} imports from its package {parts[0]} ({statement}): fe-gen imports it as "
            f"{module}, and the project imports it from where it is instead of copying it"
        ),
    )


def _check_not_empty(path: Path, target: str) -> None:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FeGenError(f"cannot read models file {target}: {error.strerror}") from None
    if not data.strip():
        raise FeGenError(
            f"{target} is empty: define the models in it (on a declarative Base or a "
            "registry), or pass the file that does"
        )


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a dotenv file; `#` comments, `export` and quotes allowed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FeGenError(f"env file not found: {path}") from None
    except OSError as error:
        raise FeGenError(f"cannot read env file {path}: {error.strerror}") from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.removeprefix("export ").partition("=")
        key = key.strip()
        if not equals or not key.isidentifier():
            raise FeGenError(f"{path}:{number}: expected KEY=VALUE, got {raw.strip()!r}")
        values[key] = _env_value(value.strip())
    return values


def _env_value(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.split(" #", 1)[0].rstrip()


def _child_environment(env_file: Path | None) -> dict[str, str]:
    environment = dict(os.environ)
    if env_file is not None:
        environment.update(read_env_file(env_file))
    return environment


def _run_child(
    request: _Request,
    environment: Mapping[str, str],
    timeout: float,
    child_module: str = _CHILD,
    answer: str = "schema",
) -> Any:
    command = [sys.executable, "-P", "-m", child_module, request.to_json()]
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(environment),
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    ) as child:
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(child)
            stdout, _ = child.communicate()
            module = _last_importing(stdout) or request.module
            raise FeGenError(
                f"importing {module} did not finish within {timeout:g}s; it may wait on a "
                "database or the network at import: avoid that, or raise --timeout"
            ) from None
    return _reply(request, child.returncode, stdout, stderr, answer)


def _kill(child: subprocess.Popen[str]) -> None:
    """Kill the child and whatever it started, so no grandchild holds the pipes open."""
    with contextlib.suppress(ProcessLookupError):
        if hasattr(os, "killpg"):
            os.killpg(child.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows has no process groups to kill
            child.kill()


def _reply(request: _Request, status: int, stdout: str, stderr: str, answer: str) -> Any:
    messages = _messages(stdout)
    final = messages[-1] if messages else {}
    if answer in final:
        return final[answer]
    if "error" in final:
        raise FeGenError(str(final["error"]))
    module = _last_importing(stdout) or request.module
    if status < 0:
        name = _signal_name(-status)
        raise FeGenError(
            f"importing {module} crashed the Python interpreter ({name}); a C extension "
            "it imports may be broken or built for another Python"
        )
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
    detail = f": {last}" if last else ""
    raise FeGenError(f"importing {module} ended the process with exit status {status}{detail}")


def _messages(stdout: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for line in stdout.splitlines():
        with contextlib.suppress(ValueError):
            message = json.loads(line)
            if isinstance(message, dict):
                messages.append(message)
    return messages


def _last_importing(stdout: str) -> str | None:
    names = [str(m["importing"]) for m in _messages(stdout) if "importing" in m]
    return names[-1] if names else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
