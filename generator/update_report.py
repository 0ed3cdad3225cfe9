"""What `fe-gen update` tells its user: the diff (`--diff`), what happened, and what next."""

from __future__ import annotations

import difflib
import shlex

from rich.console import Console
from rich.markup import escape

from fe_gen.generator.revision import COMMAND, Revision
from fe_gen.generator.update import MESSAGE, OUTCOMES, Change, Outcome, Update

_STYLES = {"+": "green", "-": "red", "@": "cyan"}
_MEANING: dict[Outcome, str] = {
    "updated": "you had not edited them: replaced",
    "merged": "your edits and fe-gen's merged",
    "conflict": "your edits and fe-gen's overlap: conflict markers",
    "added": "new",
    "kept deleted": "you deleted them: fe-gen's changes not applied",
    "not generated": "fe-gen no longer generates them: left as they are",
}
# The outcomes whose every file is named: each asks the user to act.
_NAMED_IN_FULL = {"conflict", "not generated"}


def print_diff(update: Update, console: Console) -> None:
    """A unified diff of each file the update would write, from the project as it is."""
    for change in update.writes:
        assert change.content is not None
        path = update.project / change.path
        before = path.read_bytes() if path.is_file() else b""
        lines = difflib.unified_diff(
            _lines(before),
            _lines(change.content),
            fromfile=f"a/{change.path}" if path.is_file() else "/dev/null",
            tofile=f"b/{change.path}",
        )
        for line in lines:
            console.print(
                line.rstrip("\n"), style=_STYLES.get(line[:1]), markup=False, highlight=False
            )


def summarize_update(
    update: Update, console: Console, *, dry_run: bool, migration: Revision | str | None
) -> None:
    """One line per outcome with the files it concerns, then what to do next."""
    previous, current = update.previous.fe_gen, update.record.fe_gen
    version = current if previous == current else f"{previous} -> {current}"
    models = update.record.inputs.models
    if not update.changes:
        console.print(
            f"[bold green]Up to date[/]: {update.project} already has what fe-gen {version} "
            f"generates from {models}."
        )
    else:
        verb = "Would update" if dry_run else "Updated"
        names = ", ".join(model.name for model in update.plan.models)
        console.print(
            f"[bold green]{verb}[/] {update.project} from {escape(models)} "
            f"({len(update.plan.models)} models: {escape(names)}; fe-gen {version}):"
        )
        console.print("\n".join(_outcomes(update)))
    steps = _next_steps(update, migration, dry_run=dry_run)
    if steps:
        console.print("\nNext:\n" + "\n".join(f"  {step}" for step in steps), markup=False)
    if dry_run and (update.writes or update.tables_changed):
        console.print("\n--diff: nothing was written; run without it to update.", markup=False)


def _outcomes(update: Update) -> list[str]:
    lines = []
    for outcome in OUTCOMES:
        changes = update.of(outcome)
        if changes:
            names = _names(changes, full=outcome in _NAMED_IN_FULL)
            style = "bold red" if outcome == "conflict" else "bold"
            lines.append(
                f"  [{style}]{outcome:<14}{len(changes):>3}[/]  "
                f"{escape(_MEANING[outcome])}: {escape(names)}"
            )
    return lines


def _names(changes: list[Change], *, full: bool) -> str:
    names = [change.path for change in changes]
    if full or len(names) <= 4:
        return ", ".join(names)
    return ", ".join(names[:3]) + f" and {len(names) - 3} more"


def _next_steps(update: Update, migration: Revision | str | None, *, dry_run: bool) -> list[str]:
    steps = []
    if update.of("conflict"):
        steps.append(
            "resolve the conflicts: keep what you want between <<<<<<< yours and >>>>>>> "
            "fe-gen update, and delete the markers"
        )
    orphans = update.of("not generated")
    if orphans:
        paths = " ".join(shlex.quote(change.path) for change in orphans)
        steps.append(f"delete the files of models that are gone, once done with them: rm {paths}")
    if isinstance(migration, Revision) and migration.path:
        steps.append(f"review the migration fe-gen wrote for the models' change: {migration.path}")
        steps += [f"  alembic: {note}" for note in migration.warnings]
    elif isinstance(migration, Revision):
        steps.append("the models' tables are as the migrations make them: no migration needed")
    elif update.tables_changed and dry_run:
        steps.append("the models' tables changed: `fe-gen update` will autogenerate a migration")
    elif update.tables_changed:
        reason = f" ({migration})" if isinstance(migration, str) else ""
        steps.append(
            f"the models' tables changed: write their migration{reason}, with the project "
            "installed and DATABASE_URL at the newest revision, then review it:"
        )
        steps.append(f"  cd {shlex.quote(str(update.project))}")
        steps.append("  " + COMMAND.format(message=MESSAGE))
    wrote_revision = isinstance(migration, Revision) and migration.path
    if not dry_run and (update.writes or wrote_revision):
        steps.append("pytest  # the generated tests, your edits included")
    return steps


def _lines(content: bytes) -> list[str]:
    return content.decode("utf-8", "surrogateescape").splitlines(keepends=True)
