"""`fe-gen optimize --models IMPORT.PATH`: the mapped classes as SQLAlchemy configured them.

The static reading (`models_index`) stays the default: it never runs the user's code.
When the models can be imported, `--models` reads them exactly instead: columns with
their nullability, type, uniqueness and primary key, relationships with their target,
`uselist` and `lazy`, and which other attributes are Python code (properties, hybrids,
methods). The import runs in a child process (`_models_child`, through the machinery of
`fe-gen new`), so a model that hangs, crashes or fails at import is one line and exit
status 2, never a hung run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fe_gen.codemods.analysis.decls import AttrDecl
from fe_gen.codemods.models_index import ModelInfo
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.import_errors import PATH_HINT as _PATH_HINT

_CHILD = "fe_gen.codemods._models_child"
TIMEOUT = 60.0  # seconds the models may take to import, as `fe-gen new` allows


@dataclass(frozen=True)
class ImportedModels:
    """The mapped classes by class name, each with the module that defines it."""

    classes: Mapping[str, tuple[tuple[str, ModelInfo], ...]]

    def find(self, name: str, module: str | None) -> ModelInfo | None:
        """The mapped class `name`; when several classes share it, the one of `module`
        (the module the code imports it from). None: not a mapped class."""
        found = self.classes.get(name, ())
        if len(found) == 1:
            return found[0][1]
        wanted = (module or "").lstrip(".")
        chosen = [model for owner, model in found if wanted and _names(owner, wanted)]
        return chosen[0] if len(chosen) == 1 else None


def _names(owner: str, module: str) -> bool:
    """Whether code importing from `module` (maybe relative, its dots stripped) may get a
    class of `owner`: the same module, a package re-exporting it, or its relative tail."""
    return owner == module or owner.startswith(f"{module}.") or owner.endswith(f".{module}")


def load(spec: str, root: Path, timeout: float = TIMEOUT) -> ImportedModels:
    """Import `spec` in a child process and read its mappers. The project's `root` goes on
    sys.path, and its `src/` folder too when there is one (the src layout)."""
    from fe_gen.generator.loading import import_in_child

    roots = [root, *([root / "src"] if (root / "src").is_dir() else [])]
    try:
        described = import_in_child(
            spec, child=_CHILD, answer="models", roots=roots, timeout=timeout
        )
    except FeGenError as error:
        on_path = " and ".join(str(folder) for folder in roots)
        message = error.message.replace(_PATH_HINT, f"install it (on sys.path: {on_path})")
        raise FeGenError(f"--models {spec}: {message}") from None
    if not described:
        raise FeGenError(
            f"--models {spec}: no mapped classes found; name the module that defines (or "
            "imports) the models"
        )
    return from_described(described)


def from_described(described: list[dict[str, Any]]) -> ImportedModels:
    """The child's reply as ModelInfo, the type the rules already read."""
    classes: dict[str, list[tuple[str, ModelInfo]]] = {}
    for entry in described:
        attrs = {name: AttrDecl(**fields) for name, fields in entry["attrs"].items()}
        model = ModelInfo(entry["name"], Path(entry["path"]), attrs)
        classes.setdefault(entry["name"], []).append((entry["module"], model))
    return ImportedModels({name: tuple(found) for name, found in classes.items()})
