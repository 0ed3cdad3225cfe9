"""`fe-gen optimize`: walk the paths, run the rules on every file that may need them, fix.

The work per file is in `runner`, in two phases: `prepare` (text prefilter, decode,
stdlib-ast pre-check: cheap) and `finish` (LibCST: costly, and importing LibCST alone
takes ~0.3 s). This module finds the files, runs the phases (in this process, or in forked
workers when that pays: see `workers`), writes the fixed files, and folds the outcomes
into a report and an exit status: 0 clean, 1 findings or rewrites, 2 usage or internal
error.

When enough text passes the prefilter and there is a core to spare, LibCST is imported
in a forked analyst while this process parses; otherwise it is imported here, once,
before the LibCST phase forks its pool, whose workers then inherit it.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fe_gen.codemods import report, workers
from fe_gen.codemods.config import Mode, Settings
from fe_gen.codemods.discovery import Walker, git_root
from fe_gen.codemods.fileio import write_atomic
from fe_gen.codemods.hints import NO_HINTS, Hints, project_hints
from fe_gen.codemods.rules import ALL_RULES, RuleEntry
from fe_gen.codemods.runner import FileOutcome, Prepared, process

if TYPE_CHECKING:
    from fe_gen.codemods.imported_models import ImportedModels
    from fe_gen.codemods.models_index import ModelsIndex

ANALYST_MIN = 200_000  # bytes past the text prefilter before LibCST is imported aside


def _read(paths: Sequence[Path]) -> tuple[dict[Path, bytes], list[FileOutcome]]:
    data: dict[Path, bytes] = {}
    failed: list[FileOutcome] = []
    for path in paths:
        try:
            data[path] = path.read_bytes()
        except OSError as error:
            failed.append(FileOutcome(path, error=f"cannot read: {error.strerror or error}"))
    return data, failed


def _project(settings: Settings) -> tuple[Path | None, bool]:
    """The project's root, and whether the paths given cover all of it."""
    root = git_root(settings.cwd) or settings.project_root
    given = [Path(os.path.abspath(p)) for p in settings.paths]
    covered = root is None or any(p.is_dir() and (p == root or p in root.parents) for p in given)
    return root, covered


def _rest(settings: Settings, walker: Walker) -> Callable[[], list[Path]]:
    """The files of the project the paths given leave out, listed when first asked for."""
    root, covered = _project(settings)
    listed: list[list[Path]] = []

    def rest() -> list[Path]:
        if not listed:
            listed.append([] if covered or root is None else walker.files([root]))
        return listed[0]

    return rest


def _hints(data: dict[Path, bytes], rest: Callable[[], list[Path]]) -> Hints:
    """What the pre-checks may know of the whole project: read from the scanned files and
    the rest of the project (only when some file needs it)."""
    others, _ = _read([path for path in rest() if path not in data])
    return project_hints([*data.values(), *others.values()], whole=True)


def _models(
    data: dict[Path, bytes], more: Callable[[], list[Path]], imported: ImportedModels | None
) -> Callable[[], ModelsIndex]:
    """The index reads the scanned files, then (lazily) the rest of the project, or the
    mappers `--models` imported; it is built (and its module imported) when the LibCST
    phase first asks for it."""
    built: list[ModelsIndex] = []

    def models() -> ModelsIndex:
        if not built:
            from fe_gen.codemods.models_index import ModelsIndex
            from fe_gen.codemods.sources import SourceSet

            built.append(ModelsIndex(SourceSet(data, more), imported))
        return built[0]

    return models


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the run, and what is already loaded frozen.

    Parsing allocates objects by the million, and every collection those allocations
    trigger walks all the objects the process holds (the CLI's modules, the trees being
    built): with the collector on, the `ast` phase took about twice as long. Trees,
    outcomes and file contents hold no reference cycles, so reference counting frees them
    all the same; LibCST's metadata does make cycles, and `workers.load_analysis` turns
    the collector back on for that phase.
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
        else:
            gc.disable()


def _analyst_pays(settings: Settings, to_parse: int) -> bool:
    """Whether to import LibCST in a second process while this one parses.

    Unlike a pool, the analyst duplicates no work (the run needs LibCST as soon as one
    file gets past the `ast` pre-check), so it pays even on a busy machine, as long as
    there is enough to parse for the import to hide behind. Only `--jobs 1` turns it off.
    """
    cores = os.cpu_count() or 1
    return settings.jobs != 1 and cores > 1 and workers.can_fork() and to_parse >= ANALYST_MIN


def _run(
    data: dict[Path, bytes], settings: Settings, walker: Walker, imported: ImportedModels | None
) -> list[FileOutcome]:
    rest = _rest(settings, walker)
    wanted = [p for p, b in data.items() if any(rule.prefilter(b) for rule in settings.rules)]
    hints = _hints(data, rest) if wanted else NO_HINTS
    workers.set_state(settings, _models(data, rest, imported), data, hints)
    outcomes = [FileOutcome(path, skipped=True) for path in data.keys() - set(wanted)]
    count = settings.workers
    analyst = None
    if _analyst_pays(settings, sum(len(data[path]) for path in wanted)):
        analyst = workers.Analyst(settings.rules, count)
    try:
        prepared: list[Prepared] = []
        parsers = count - 1 if analyst is not None else count  # the analyst has a core
        for item in workers.prepare_all(wanted, parsers):
            if isinstance(item, Prepared):
                prepared.append(item)
            else:
                outcomes.append(item)
        if not prepared:
            return outcomes
        finished = analyst.finish(prepared) if analyst is not None else None
        if finished is None:
            needed = [r for r in settings.rules if any(r.code in p.codes for p in prepared)]
            workers.load_analysis(needed)
            finished = workers.finish_all(prepared, count)
        return outcomes + finished
    finally:
        if analyst is not None:
            analyst.close()


def run(settings: Settings) -> int:
    """Run `fe-gen optimize` as `settings` say; returns the exit status."""
    started = time.perf_counter()
    imported = None
    if settings.models is not None:  # before any work: an import error ends the run
        from fe_gen.codemods import imported_models

        imported = imported_models.load(settings.models, settings.import_root)
    with _collector_paused():
        walker = Walker(settings.exclude, settings.project_root or settings.cwd)
        data, outcomes = _read(walker.files(settings.paths))
        outcomes += _run(data, settings, walker, imported)
        if settings.mode is Mode.FIX:
            for outcome in outcomes:
                if outcome.new_data is not None:
                    _write(outcome)
    report.emit(outcomes, settings, time.perf_counter() - started)
    return exit_status(outcomes, settings.mode)


def _write(outcome: FileOutcome) -> None:
    assert outcome.new_data is not None
    try:
        write_atomic(outcome.path, outcome.new_data)
    except OSError as error:
        outcome.error = f"cannot write: {error.strerror or error}"
        outcome.new_data = None


def exit_status(outcomes: Sequence[FileOutcome], mode: Mode) -> int:
    if any(outcome.internal for outcome in outcomes):
        return 2
    changed = any(outcome.new_data is not None for outcome in outcomes)
    if mode is Mode.DIFF:
        return 1 if changed or any(o.error for o in outcomes) else 0
    found = any(outcome.findings or outcome.error for outcome in outcomes)
    return 1 if found or (changed and mode is Mode.FIX) else 0


def optimize_source(
    text: str,
    *,
    path: Path = Path("example.py"),
    rules: Sequence[RuleEntry] = ALL_RULES,
    mode: Mode = Mode.FIX,
    unsafe_fixes: bool = False,
) -> FileOutcome:
    """Run the rules on one source text in memory (models are read from the text itself)."""
    from fe_gen.codemods.models_index import ModelsIndex
    from fe_gen.codemods.sources import SourceSet

    data = text.encode("utf-8")
    path = Path(os.path.abspath(path))
    models = ModelsIndex(SourceSet({path: data}))
    hints = project_hints([data], whole=True)
    return process(path, data, rules, mode, unsafe_fixes, models, hints)
