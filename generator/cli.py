"""The `fe-gen` command line: parses options and calls one function per command.

Business logic lives in the modules the commands call; a FeGenError anywhere becomes one
line on stderr and exit status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fe_gen.generator.errors import FeGenError

app = typer.Typer(
    name="fe-gen",
    help="Generate fast FastAPI + SQLAlchemy services from your models, and make existing ones fast.",
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
        help="A models file (path/models.py) or an import path (pkg.models, pkg.models:Base).",
        show_default=False,
    ),
]


@app.command()
def new(
    dest: Annotated[Path, typer.Argument(help="Directory to create the project in.")],
    models: ModelsOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Render into a non-empty DEST; never deletes files."),
    ] = False,
) -> None:
    """Scaffold a FastAPI project with a tuned CRUD API for every model."""
    from fe_gen.generator.loading import load_schema
    from fe_gen.generator.render import render_project, summarize

    schema = load_schema(models)
    result = render_project(schema, dest, force=force)
    summarize(result, Console(highlight=False))


@app.command()
def inspect(models: ModelsOption = None) -> None:
    """Print what fe-gen reads from the models, as JSON."""
    from fe_gen.generator.loading import load_schema

    schema = load_schema(models)
    sys.stdout.write(schema.to_json() + "\n")


def main() -> None:
    """Console-script entry point: run the app, turning FeGenError into one line and exit 2."""
    try:
        app()
    except FeGenError as error:
        _err.print(f"[bold red]error:[/] {error.message}")
        raise SystemExit(2) from None
