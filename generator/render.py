"""IR -> a rendered project: copier renders the plan, ruff formats it, then it moves into place.

Everything is written into a temporary directory beside DEST first, so a failure leaves
nothing behind; only a finished project is moved (or, with --force, copied) into DEST, and
no file already in DEST is ever deleted. The project keeps a `.fe-gen/` record of what was
generated from what (generator/record.py), which `fe-gen update` merges from.
"""

from __future__ import annotations

import keyword
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from copier import run_copy
from rich.console import Console
from rich.markup import escape

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import Schema
from fe_gen.generator.loading import split_attribute
from fe_gen.generator.plan import ProjectPlan, build_plan
from fe_gen.generator.record import (
    Inputs,
    Record,
    fe_gen_version,
    relative,
    template_hash,
    write_record,
)


@dataclass(frozen=True)
class RenderResult:
    dest: Path
    plan: ProjectPlan
    files: tuple[Path, ...]
    """Files written, relative to `dest` (not counting the `.fe-gen/` record)."""


def render_project(
    schema: Schema,
    dest: Path,
    *,
    force: bool = False,
    package: str = "app",
    env_file: Path | None = None,
    exclude: tuple[str, ...] = (),
    timeout: float = 60.0,
) -> RenderResult:
    """Render the project for `schema` into `dest`, with the `.fe-gen/` record of how.

    `env_file` is the dotenv file the models needed to import, which the project needs too;
    it, `exclude` and `timeout` are recorded so that `fe-gen update` imports the models the
    same way.
    """
    dest = dest.resolve()
    _check_destination(dest, force)
    inputs = record_inputs(schema, dest, package, env_file, exclude, timeout)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{dest.name}-", dir=dest.parent) as scratch:
        staging = Path(scratch) / "project"
        plan, generated = stage_project(schema, staging, inputs)
        record = Record(fe_gen_version(), template_hash(template_path()), inputs)
        write_record(staging, record, generated)
        files = tuple(sorted(Path(name) for name in generated))
        if schema.source.kind == "file":
            files = tuple(sorted((*files, Path(inputs.package, "models.py"))))
        _move_into_place(staging, dest)
    return RenderResult(dest=dest, plan=plan, files=files)


def stage_project(
    schema: Schema, staging: Path, inputs: Inputs
) -> tuple[ProjectPlan, dict[str, bytes]]:
    """Render the project into the new directory `staging`: its plan, and the files fe-gen
    generated (POSIX paths relative to `staging`; not the models file it copied in)."""
    _check_package(schema, inputs.package)
    plan = build_plan(
        schema,
        name=inputs.name,
        package=inputs.package,
        models_path=inputs.path,
        env_file=inputs.env_file,
    )
    _copy_template(plan, staging)
    models = staging / inputs.package / "models.py"
    copied = schema.source.kind == "file"
    if copied:
        # Before ruff runs: its import sorting tells the project's own modules
        # (`from app.models import ...`) from third-party ones by the files present.
        shutil.copyfile(schema.source.location, models)
    _format(staging, exclude=models)
    generated = {
        path.relative_to(staging).as_posix(): path.read_bytes()
        for path in sorted(staging.rglob("*"))
        if path.is_file() and not (copied and path == models)
    }
    return plan, generated


def record_inputs(
    schema: Schema,
    dest: Path,
    package: str,
    env_file: Path | None,
    exclude: tuple[str, ...],
    timeout: float,
) -> Inputs:
    """How `fe-gen update` finds the models again, every path relative to the project."""
    source = schema.source
    attribute = split_attribute(source.location)[2]
    suffix = f":{attribute}" if attribute else ""
    root = source.root
    return Inputs(
        kind=source.kind,
        models=f"{package}/models.py{suffix}" if source.kind == "file" else source.module + suffix,
        package=package,
        name=project_name(dest.name),
        path=relative(Path(root), dest) if root and _models_imported_from_path(schema) else None,
        exclude=tuple(exclude),
        env_file=relative(env_file, dest) if env_file else None,
        timeout=timeout,
    )


def project_name(directory: str) -> str:
    """A distribution name (PEP 508) made from the destination's name."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", directory).strip("-._")
    return name or "service"


def template_path() -> Path:
    return Path(str(resources.files("fe_gen.templates") / "project"))


def _check_package(schema: Schema, package: str) -> None:
    """The generated package must not shadow the models, which must be importable from it."""
    source = schema.source
    if not package.isidentifier() or keyword.iskeyword(package):
        raise FeGenError(f"--package {package}: not a valid Python package name")
    if source.kind == "file" and source.siblings:
        modules = ", ".join(source.siblings)
        raise FeGenError(
            f"{source.location} imports {modules} from its folder, which a copied models file "
            "can't: put the models in a package and pass it as an import path (--models pkg.models)"
        )
    top = source.module.split(".")[0]
    if source.kind == "module" and source.root and not (Path(source.root) / top).is_dir():
        raise FeGenError(
            f"{source.location} is a top-level module: fe-gen imports models from a package, "
            f"so pass the file instead (--models {source.root}/{top}.py) or put it in a package"
        )
    if source.kind == "module" and top == package:
        raise FeGenError(
            f"the models' package is called {top}, like the package fe-gen would generate: "
            f"pass --package with another name (e.g. --package {top}_api)"
        )


def _models_imported_from_path(schema: Schema) -> bool:
    """Models imported by import path from a folder of their own (not installed), which the
    project imports from where they are."""
    root = schema.source.root
    return (
        schema.source.kind == "module"
        and root is not None
        and ("site-packages" not in Path(root).parts)
    )


def _check_destination(dest: Path, force: bool) -> None:
    if dest.exists() and not dest.is_dir():
        raise FeGenError(f"destination {dest} exists and is not a directory")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise FeGenError(
            f"destination {dest} is not empty; choose another or pass --force "
            "(which overwrites generated files and deletes nothing)"
        )


def _copy_template(plan: ProjectPlan, staging: Path) -> None:
    run_copy(
        str(template_path()),
        staging,
        data={"plan": plan.to_dict()},
        defaults=True,
        overwrite=True,
        quiet=True,
        unsafe=False,
    )


def _format(project: Path, exclude: Path) -> None:
    """`ruff format` and `ruff check --fix` the generated files, never the user's models."""
    targets = [str(path) for path in project.rglob("*.py") if path != exclude]
    # Fixes first (unused imports of a variant go), then formatting settles the result.
    for command in (
        ["check", "--fix", "--no-cache", "--quiet", "--exit-zero"],
        ["format", "--no-cache"],
    ):
        completed = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *targets],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            output = (completed.stderr + completed.stdout).splitlines()
            errors = (
                [line for line in output if line.startswith("error:")] or output or ["no output"]
            )
            detail = errors[0].removeprefix("error: ").replace(f"{project}/", "")
            raise FeGenError(
                f"fe-gen generated code ruff can't {command[0]} ({detail}): please report this bug"
            )


def _move_into_place(staging: Path, dest: Path) -> None:
    if not dest.exists() or not any(dest.iterdir()):
        if dest.exists():
            dest.rmdir()
        staging.rename(dest)
        return
    shutil.copytree(staging, dest, dirs_exist_ok=True)


def _grouped(notes: list[str]) -> list[str]:
    """One line per message: `Model.attr: message` notes that say the same thing at many
    places become `message: A.x, B.y and 43 more`."""
    places: dict[str, list[str]] = {}
    for note in notes:
        place, separator, message = note.partition(": ")
        if not (separator and "." in place):
            place, message = "", note
        places.setdefault(message, []).append(place)
    lines = []
    for message, where in places.items():
        named = [place for place in where if place]
        if len(named) <= 1:
            lines.append(f"{named[0]}: {message}" if named else message)
            continue
        shown = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
        lines.append(f"{shown}: {message}")
    return lines


def summarize(result: RenderResult, console: Console) -> None:
    """What was generated and what to do next."""
    plan = result.plan
    names = ", ".join(model.name for model in plan.models)
    console.print(
        f"[bold green]Generated[/] {result.dest} ({len(result.files)} files): "
        f"an API for {len(plan.models)} models ({names})."
    )
    notes = [
        f"no write tests for {model.name}: {model.tests.reason}"
        for model in plan.models
        if not model.tests.testable
    ]
    notes += plan.diagnostics
    if plan.docs:
        notes.append(plan.docs.note)
    if plan.env_file:
        notes.append(
            f"the models read settings when imported: the project needs the variables of "
            f"{plan.env_file} too (set -a && . {plan.env_file} && set +a)"
        )
    for note in _grouped(notes):
        console.print(f"  [yellow]note:[/] {escape(note)}")
    database = "SQLite"
    if plan.needs_postgresql:
        database = "PostgreSQL (the models need it: set TEST_DATABASE_URL)"
    docs = plan.docs.url if plan.docs else "/docs"
    steps = [
        (f"cd {result.dest}", ""),
        ("pip install -e '.[dev]'", ""),
        ("pytest", f"the generated tests, on {database}"),
        (f"uvicorn {plan.package}.main:app", f"then open http://127.0.0.1:8000{docs}"),
    ]
    width = max(len(command) for command, comment in steps if comment) + 2
    lines = [
        f"  {command:<{width}}# {comment}" if comment else f"  {command}"
        for command, comment in steps
    ]
    console.print("\nNext:\n" + "\n".join(lines), markup=False)
