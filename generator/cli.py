"""The `fe-gen` command line: parses options and calls one function per command.

Business logic lives in the modules the commands call; a FeGenError anywhere becomes one
line on stderr and exit status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from fe_gen.generator.errors import FeGenError

if TYPE_CHECKING:
    from fe_gen.generator.ir import Schema

app = typer.Typer(
    name="fe-gen",
    help=(
        "Generate fast FastAPI + SQLAlchemy services from your models, and make existing ones fast."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_err = Console(stderr=True, highlight=False, soft_wrap=True)

ModelsOption = Annotated[
    str | None,
    typer.Option(
        "--models",
        "-m",
        help="A models file (path/models.py) or an import path (pkg.models, pkg.models:Base, "
        "pkg.orm:start_mappers).",
        show_default=False,
    ),
]
PathOption = Annotated[
    Path | None,
    typer.Option(
        "--path",
        help="Directory to import the models from (put on sys.path); default: the current one.",
        show_default=False,
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        help="Submodules of a models package to skip (fnmatch on dotted names); repeatable.",
        show_default=False,
    ),
]
EnvFileOption = Annotated[
    Path | None,
    typer.Option(
        "--env-file",
        help="A dotenv file whose variables the models see at import.",
        show_default=False,
    ),
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", help="Seconds the models may take to import.", min=0.1),
]


def _load(
    models: str | None,
    path: Path | None,
    exclude: list[str] | None,
    env_file: Path | None,
    timeout: float,
) -> Schema:
    from fe_gen.generator.loading import load_schema

    return load_schema(
        models, search_path=path, exclude=exclude or (), env_file=env_file, timeout=timeout
    )


@app.command()
def new(
    dest: Annotated[Path, typer.Argument(help="Directory to create the project in.")],
    models: ModelsOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Render into a non-empty DEST; never deletes files."),
    ] = False,
    package: Annotated[
        str,
        typer.Option("--package", help="Name of the generated import package."),
    ] = "app",
    path: PathOption = None,
    exclude: ExcludeOption = None,
    env_file: EnvFileOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Scaffold a FastAPI project with a tuned CRUD API for every model."""
    from fe_gen.generator.render import render_project, summarize

    schema = _load(models, path, exclude, env_file, timeout)
    result = render_project(
        schema,
        dest,
        force=force,
        package=package,
        env_file=env_file,
        exclude=tuple(exclude or ()),
        timeout=timeout,
    )
    summarize(result, Console(highlight=False, soft_wrap=True))


_UPDATE_HELP = (
    "Regenerate the project from its models, keeping your edits.\n\n"
    "Reads the models again as `fe-gen new` did (the models file copied into the project, "
    "or the import path), renders them, and merges three-way against what fe-gen generated "
    "last time (kept in .fe-gen/): files you never edited are replaced, files you edited are "
    "merged line by line, and overlapping edits get conflict markers and exit status 1.\n\n"
    "Files you deleted stay deleted; files of a removed model are reported, never deleted. "
    "When the models' tables changed, it writes the Alembic revision (or prints the command "
    "that does). Bad input: one line and exit status 2, nothing written."
)


@app.command(help=_UPDATE_HELP)
def update(
    dest: Annotated[
        Path,
        typer.Argument(help="The project to update (default: the current directory)."),
    ] = Path(),
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Print what would change and write nothing."),
    ] = False,
) -> None:
    """Regenerate the project from its models, keeping your edits."""
    from fe_gen.generator.update import (
        apply_update,
        prepare_update,
        record_changes,
        write_migration,
    )
    from fe_gen.generator.update_report import print_diff, summarize_update

    console = Console(highlight=False, soft_wrap=True)
    result = prepare_update(dest)
    migration = None
    if diff:
        print_diff(result, console)
    elif result.writes or record_changes(result):
        apply_update(result)
        migration = write_migration(result)
    summarize_update(result, console, dry_run=diff, migration=migration)
    if result.of("conflict"):
        raise typer.Exit(1)


@app.command()
def inspect(
    models: ModelsOption = None,
    path: PathOption = None,
    exclude: ExcludeOption = None,
    env_file: EnvFileOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Print what fe-gen reads from the models, as JSON."""
    schema = _load(models, path, exclude, env_file, timeout)
    sys.stdout.write(schema.to_json() + "\n")


@app.command()
def optimize(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to optimize (default: .).", show_default=False),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if anything is found.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Write nothing; print a diff; exit 1 if it is not empty.")
    ] = False,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Also apply fixes marked unsafe.")
    ] = False,
    select: Annotated[
        list[str] | None, typer.Option(help="Rule codes or prefixes to run, comma-separated.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Rule codes or prefixes to skip, comma-separated.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Output format: text, json or github.")
    ] = "text",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes; 0 = one per core.")] = 0,
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            metavar="IMPORT.PATH",
            help="Import the models (pkg.models) and read them from SQLAlchemy's mappers "
            "instead of the source; default: read statically, importing nothing.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Fix slow SQLAlchemy patterns in place and report those without a safe fix."""
    from fe_gen.codemods.config import options_to_settings
    from fe_gen.codemods.engine import run

    settings = options_to_settings(
        paths or [], check, diff, unsafe_fixes, select, ignore, output_format, jobs, models
    )
    raise typer.Exit(run(settings))


def main() -> None:
    """Console-script entry point: run the app, turning FeGenError into one line and exit 2."""
    try:
        app()
    except FeGenError as error:
        _err.print(f"[bold red]error:[/] {escape(error.message)}")
        raise SystemExit(2) from None
