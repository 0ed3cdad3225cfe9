"""`fe-gen update`: render the project again from its models and merge the change into it.

Three versions of each generated file meet: the base (`.fe-gen/base/`, what fe-gen generated
last time), theirs (the new render) and ours (the project as the user keeps it). What the
user never touched takes the new render; what both changed is merged line by line (merge3,
the three-way merge of bzr/breezy), with conflict markers where the two changes overlap.
Files the user deleted stay deleted, files fe-gen no longer generates are reported, never
deleted, and Alembic revisions are history: a revision is never rewritten.

The outcome is worked out in memory from a render in a temporary directory; only then are
files written, each atomically, and the record last, so a failure leaves the project as it
was or, at worst, with some files updated and the old record, which the next run repairs.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from merge3 import Merge3

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import Schema
from fe_gen.generator.loading import load_schema, split_attribute
from fe_gen.generator.plan import ProjectPlan
from fe_gen.generator.record import (
    RECORD_DIR,
    Inputs,
    Record,
    fe_gen_version,
    read_record,
    template_hash,
    write_record,
)
from fe_gen.generator.render import stage_project, template_path

Outcome = Literal["updated", "merged", "conflict", "added", "kept deleted", "not generated"]
OUTCOMES: tuple[Outcome, ...] = (
    "updated",
    "merged",
    "conflict",
    "added",
    "kept deleted",
    "not generated",
)


@dataclass(frozen=True)
class Change:
    path: str
    """POSIX path relative to the project."""
    outcome: Outcome
    content: bytes | None
    """What the file becomes; None when it is left as it is."""


@dataclass(frozen=True)
class Update:
    project: Path
    previous: Record
    """The record of the previous render, the base."""
    record: Record
    """The record of this one."""
    plan: ProjectPlan
    changes: tuple[Change, ...]
    base: dict[str, bytes]
    """The new base: the new render."""
    tables_changed: bool
    """The models' tables differ from those of the first revision: a migration is due."""

    def of(self, outcome: Outcome) -> list[Change]:
        return [change for change in self.changes if change.outcome == outcome]

    @property
    def writes(self) -> list[Change]:
        return [change for change in self.changes if change.content is not None]


def prepare_update(project: Path) -> Update:
    """Render the project again and merge, in memory: nothing in `project` is written."""
    project = project.resolve()
    if not project.is_dir():
        raise FeGenError(f"project directory not found: {project}")
    old, base = read_record(project)
    inputs = old.inputs
    schema = _load(project, inputs)
    with tempfile.TemporaryDirectory(prefix="fe-gen-update-") as scratch:
        plan, theirs = stage_project(schema, Path(scratch) / "project", inputs)
    frozen = f"{inputs.package}/migrations/versions/"
    # The first revision is the models' tables frozen as fe-gen renders them.
    initial = next((name for name in sorted(base) if name.startswith(frozen + "0001")), None)
    tables_changed = initial is not None and theirs.get(initial) != base[initial]
    # A revision that exists is history: the database may be at it already. The base keeps
    # the new render of it all the same, which tells the next update whether the tables changed.
    history = {name: content for name, content in base.items() if name.startswith(frozen)}
    changes = tuple(_changes(project, base, theirs | history))
    record = Record(fe_gen_version(), template_hash(template_path()), inputs)
    return Update(project, old, record, plan, changes, theirs, tables_changed)


def apply_update(update: Update) -> None:
    """Write the merged files, each atomically, then the new record."""
    for change in update.writes:
        assert change.content is not None
        _write_atomically(update.project / change.path, change.content)
    try:
        _replace_record(update.project, update.record, update.base)
    except OSError as error:
        raise FeGenError(
            f"cannot write {update.project / RECORD_DIR}: {error.strerror or error}"
        ) from None


def record_changes(update: Update) -> bool:
    """Whether the `.fe-gen/` record differs from what the update would write."""
    try:
        record, base = read_record(update.project)
    except FeGenError:
        return True
    return record != update.record or base != update.base


def _load(project: Path, inputs: Inputs) -> Schema:
    """The models, read as `new` read them, from where the record says they are now."""
    env_file = project / inputs.env_file if inputs.env_file else None
    if env_file is not None and not env_file.is_file():
        raise FeGenError(
            f"the models' --env-file {inputs.env_file} (relative to {project}) is missing"
        )
    if inputs.kind == "module":
        search_path = project / inputs.path if inputs.path else None
        return load_schema(
            inputs.models,
            search_path=search_path,
            exclude=inputs.exclude,
            env_file=env_file,
            timeout=inputs.timeout,
        )
    models, colon, attribute = split_attribute(inputs.models)
    if not (project / models).is_file():
        raise FeGenError(
            f"models file not found: {project / models} (the copy `fe-gen new` made, which "
            "fe-gen update reads the models from)"
        )
    schema = load_schema(
        str(project / models) + colon + attribute, env_file=env_file, timeout=inputs.timeout
    )
    if schema.source.kind != "file":
        raise FeGenError(
            f"{models} now imports from its own package, which a models file copied into the "
            "project can't: import the models from a module outside the generated package"
        )
    return schema


def _changes(project: Path, base: dict[str, bytes], theirs: dict[str, bytes]) -> Iterable[Change]:
    for name in sorted(base.keys() | theirs.keys()):
        path = project / name
        ours = path.read_bytes() if path.is_file() else None
        if ours is not None and _MARKER.search(ours):
            raise FeGenError(
                f"{name} still has conflict markers from the last update (<<<<<<< yours): "
                "resolve them first, then run fe-gen update again"
            )
        change = _change(name, base.get(name), ours, theirs.get(name))
        if change is not None:
            yield change


def _change(
    name: str, base: bytes | None, ours: bytes | None, theirs: bytes | None
) -> Change | None:
    """What becomes of one file; None when nothing does."""
    if theirs is None:
        # fe-gen no longer generates it (its model went): the user decides.
        return Change(name, "not generated", None) if ours is not None else None
    if base == theirs or ours == theirs:
        return None
    if ours is None:
        return Change(name, "added", theirs) if base is None else Change(name, "kept deleted", None)
    if ours == base:
        return Change(name, "updated", theirs)
    merged, conflicts = merge(base or b"", ours, theirs)
    return Change(name, "conflict" if conflicts else "merged", merged)


_MARKER = re.compile(rb"^<<<<<<< yours$", re.MULTILINE)


def merge(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """Three-way merge by lines: the result, and whether it holds conflict markers."""
    texts = [
        content.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        for content in (base, ours, theirs)
    ]
    merger = Merge3(texts[0], texts[1], texts[2])
    lines = list(
        merger.merge_lines(
            name_a="yours",
            name_b="fe-gen update",
            name_base="fe-gen before",
            base_marker="|||||||",
        )
    )
    conflicts = any(kind == "conflict" for kind, *_ in merger.merge_regions())
    return "".join(lines).encode("utf-8", "surrogateescape"), conflicts


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside `path`, then rename over it: a reader sees the old file or the new one.
    A new file gets the permissions `open` gives; an existing one keeps its own."""
    temporary = path.with_name(f".{path.name}.fe-gen-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(content)
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise FeGenError(f"cannot write {path}: {error.strerror or error}") from None


def _replace_record(project: Path, record: Record, base: dict[str, bytes]) -> None:
    """Swap in the new `.fe-gen/`: written beside the old one, then renamed over it."""
    with tempfile.TemporaryDirectory(prefix=".fe-gen-", dir=project) as scratch:
        staging = Path(scratch)
        write_record(staging, record, base)
        current = project / RECORD_DIR
        if current.exists():
            current.rename(staging / "old")
        (staging / RECORD_DIR).rename(current)
        shutil.rmtree(staging / "old", ignore_errors=True)
