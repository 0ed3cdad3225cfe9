"""The child process that imports the user's models: `python -m fe_gen.generator._introspect_child`.

Importing models runs the user's code, so loading.py runs this module in a process of its
own. It reads one JSON request from argv, imports the models, and writes JSON lines on its
stdout: `{"importing": "pkg.mod"}` before each module (so a hang or a crash can be named)
and finally `{"schema": ...}` or `{"error": "one line"}`. Whatever the user's code prints goes
to stderr, so it cannot corrupt the reply.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from sqlalchemy import MetaData

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.import_errors import describe
from fe_gen.generator.introspect import Found, find_targets, introspect, registry_of
from fe_gen.generator.ir import Schema, Source, TypeRef
from fe_gen.generator.requirements import imported_distributions


class _Reply:
    """The real stdout, claimed before any user code runs."""

    def __init__(self) -> None:
        sys.stdout.flush()
        self._stream: IO[str] = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)
        self.importing = ""

    def send(self, **message: Any) -> None:
        self._stream.write(json.dumps(message) + "\n")
        self._stream.flush()

    def announce(self, module: str) -> None:
        self.importing = module
        self.send(importing=module)


def main(argv: list[str]) -> int:
    request: dict[str, Any] = json.loads(argv[1])
    reply = _Reply()
    try:
        before = set(sys.modules)
        modules = _import(request, reply)
        schema = _read(request, modules, _imported_since(before, request["roots"]))
        roots = [Path(root) for root in request["roots"]]
        requirements = imported_distributions(roots, before)
        schema = dataclasses.replace(schema, requirements=requirements)
    except FeGenError as error:
        reply.send(error=error.message)
    except _Internal as error:
        reply.send(error=str(error))
    except BaseException as error:
        roots = [Path(root).resolve() for root in request["roots"]]
        reply.send(error=describe(error, module=reply.importing or request["module"], roots=roots))
    else:
        reply.send(schema=schema.to_dict())
    return 0


class _Internal(Exception):
    """fe-gen itself failed while reading models that imported fine: a bug to report."""


def _import(request: dict[str, Any], reply: _Reply) -> list[ModuleType]:
    sys.path[:0] = [str(Path(entry).resolve()) for entry in request["sys_path"]]
    if request["kind"] == "file":
        return [_import_file(Path(request["target"]), request["module"], reply)]
    return _import_tree(request["module"], request["exclude"], reply)


def _read(request: dict[str, Any], modules: list[ModuleType], imported: list[ModuleType]) -> Schema:
    try:
        return _introspect(request, modules, imported)
    except FeGenError:
        raise
    except Exception as error:
        message = " ".join(str(error).split())
        raise _Internal(
            f"reading the models of {request['location']} failed with "
            f"{type(error).__name__}: {message}; this is a bug in fe-gen, please report it"
        ) from error


def _introspect(
    request: dict[str, Any], modules: list[ModuleType], imported: list[ModuleType]
) -> Schema:
    """Read the models the request names; `imported` are the user's modules its import brought
    in, where the models of a module that only imports them (`svc.api` -> views) are found."""
    source = Source(
        kind=request["kind"],
        location=request["location"],
        module=modules[0].__name__,
        root=_import_root(modules[0].__name__),
        siblings=_siblings(modules[0], request["roots"]) if request["kind"] == "file" else (),
    )
    attribute: str | None = request["attribute"]
    if attribute is None:
        targets = find_targets(modules) or find_targets(imported)
        _check_not_mapped_by_function(targets, imported or modules, request["location"])
        return introspect(targets, source=source)
    value = _attribute(modules[0], attribute, request["location"])
    if inspect.isfunction(value):
        _map_with(value, attribute, request["location"])
        source = dataclasses.replace(
            source,
            setup=TypeRef(modules[0].__name__, attribute),
            setup_typed=bool(value.__annotations__),
        )
        return introspect(find_targets(modules) or find_targets(imported), source=source)
    if isinstance(value, MetaData):
        return introspect(find_targets(modules), source=source, metadata=value)
    if registry_of(value) is None:
        raise FeGenError(
            f"{request['location']}: {attribute} is a {type(value).__name__}, not a declarative "
            "Base, a registry, a MetaData, a Flask-SQLAlchemy db or a function that maps the "
            "models; name one of those after ':'"
        )
    return introspect([Found(TypeRef(modules[0].__name__, attribute), value)], source=source)


def _check_not_mapped_by_function(
    targets: list[Found], modules: list[ModuleType], location: str
) -> None:
    """Registries that map nothing yet, beside functions that call `map_imperatively`: the
    models are mapped when such a function runs, so say which to name."""
    registries = [registry_of(found.value) for found in targets]
    if any(reg is None or reg.mappers for reg in registries):
        return
    functions = [
        f"{module.__name__}:{name}"
        for module in modules
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == module.__name__
        and "map_imperatively" in value.__code__.co_names
    ]
    if functions:
        raise FeGenError(
            f"no mapped classes found in {location}: the models are mapped imperatively when a "
            "function runs; name the function that maps them all after ':' (module:function; "
            f"these call map_imperatively: {', '.join(functions)})"
        )


def _map_with(function: Any, attribute: str, location: str) -> None:
    """Run the function that maps the models imperatively (`start_mappers()`), as the
    generated project will at import."""
    try:
        inspect.signature(function).bind()
    except TypeError:
        raise FeGenError(
            f"{location}: {attribute}() takes arguments; name a function that maps the models "
            "when called with none"
        ) from None
    except ValueError:  # no signature to read: let the call say
        pass
    try:
        function()
    except Exception as error:
        raise FeGenError(
            f"{location}: {attribute}() failed with {type(error).__name__}: {error}"
        ) from error


def _imported_since(before: set[str], roots: list[str]) -> list[ModuleType]:
    """The modules imported since `before` from the user's folders, in import order."""
    return [module for name, module in _user_modules(roots) if name not in before]


def _user_modules(roots: list[str]) -> list[tuple[str, ModuleType]]:
    """The imported modules whose files are in the user's folders (not installed packages,
    not fe-gen's own), with their names, in import order."""
    folders = [Path(root).resolve() for root in roots]
    found = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or name.startswith("fe_gen"):
            continue
        if "site-packages" in file or "dist-packages" in file:
            continue
        if any(Path(file).resolve().is_relative_to(folder) for folder in folders):
            found.append((name, module))
    return found


def _import_root(name: str) -> str | None:
    """The sys.path entry that `name`'s top-level package or module was imported from."""
    top = sys.modules.get(name.split(".")[0])
    if top is None:
        return None
    locations = list(getattr(top, "__path__", []))
    if locations:
        return str(Path(locations[0]).resolve().parent)
    file = getattr(top, "__file__", None)
    return str(Path(file).resolve().parent) if file else None


def _siblings(models: ModuleType, roots: list[str]) -> tuple[str, ...]:
    """Modules a models file imported from its folder or --path (which a copy can't reach)."""
    own = Path(models.__file__ or "").resolve()
    return tuple(
        sorted(
            name
            for name, module in _user_modules(roots)
            if module is not models and Path(module.__file__ or "").resolve() != own
        )
    )


def _import_file(path: Path, name: str, reply: _Reply) -> ModuleType:
    """Import a models file as module `name`, with its directory on sys.path."""
    sys.path.insert(0, str(path.parent.resolve()))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FeGenError(f"not a .py file: {path}; pass a models file or an import path")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    reply.announce(name)
    spec.loader.exec_module(module)
    return module


def _import_tree(name: str, exclude: list[str], reply: _Reply) -> list[ModuleType]:
    """Import a module; for a package, every submodule not matching `exclude`, recursively.

    Like pkgutil.walk_packages, but an excluded package is neither imported nor walked.
    """
    reply.announce(name)
    module = importlib.import_module(name)
    modules = [module]
    for info in pkgutil.iter_modules(getattr(module, "__path__", []), prefix=f"{name}."):
        if info.name.endswith(".__main__") or _excluded(info.name, exclude):
            continue
        modules += _import_tree(info.name, exclude, reply)
    return modules


def _excluded(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def _attribute(module: ModuleType, attribute: str, location: str) -> object:
    value: object = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise FeGenError(
                f"{location}: {module.__name__} has no attribute {attribute!r}; name its "
                "declarative Base, registry, MetaData or Flask-SQLAlchemy db after ':'"
            ) from None
    return value


if __name__ == "__main__":
    status = main(sys.argv)
    sys.stderr.flush()
    # The reply is out: skip atexit hooks and non-daemon threads the models may have started.
    os._exit(status)
