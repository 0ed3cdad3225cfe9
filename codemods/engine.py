"""`fe-gen optimize`: walk the paths, run the rules on every file that may need them, fix.

The work per file is `runner.process`; this module finds the files, decides whether a pool
of processes pays (it does only when many files pass the cheap tests: forking workers that
each import LibCST costs more than it saves on a handful), writes the fixed files, and
folds the outcomes into a report and an exit status: 0 clean, 1 findings or rewrites,
2 usage or internal error.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from fe_gen.codemods import report
from fe_gen.codemods.config import Mode, Settings
from fe_gen.codemods.discovery import Walker, git_root
from fe_gen.codemods.fileio import write_atomic
from fe_gen.codemods.models_index import ModelsIndex, SourceSet
from fe_gen.codemods.rules import ALL_RULES, RuleEntry
from fe_gen.codemods.runner import FileOutcome, process

PARALLEL_MIN = 64  # files in a run before forking workers pays for itself
CHUNK = 8  # files per task: small enough for the few expensive files to spread out

_WORKER: tuple[Settings, ModelsIndex, dict[Path, bytes]] | None = None


def _init_worker(settings: Settings, models: ModelsIndex, data: dict[Path, bytes]) -> None:
    global _WORKER
    _WORKER = (settings, models, data)


def _work(path: Path) -> FileOutcome:
    assert _WORKER is not None
    settings, models, data = _WORKER
    return process(path, data[path], settings.rules, settings.mode, settings.unsafe_fixes, models)


def _read(paths: Sequence[Path]) -> tuple[dict[Path, bytes], list[FileOutcome]]:
    data: dict[Path, bytes] = {}
    failed: list[FileOutcome] = []
    for path in paths:
        try:
            data[path] = path.read_bytes()
        except OSError as error:
            failed.append(FileOutcome(path, error=f"cannot read: {error.strerror or error}"))
    return data, failed


def _models(settings: Settings, walker: Walker, data: dict[Path, bytes]) -> ModelsIndex:
    """The index reads the scanned files, then (lazily) the rest of the project."""
    root = git_root(settings.cwd) or settings.project_root
    given = [Path(os.path.abspath(p)) for p in settings.paths]
    covered = root is None or any(p.is_dir() and (p == root or p in root.parents) for p in given)

    def more() -> list[Path]:
        return [] if covered or root is None else walker.files([root])

    return ModelsIndex(SourceSet(data, more))


def _run(data: dict[Path, bytes], settings: Settings, models: ModelsIndex) -> list[FileOutcome]:
    """Every file through `runner.process`: in this process, or in a pool of workers
    (forked, so they share the file contents and the models index without pickling)."""
    paths = list(data)
    workers = min(settings.workers, max(1, len(paths) // CHUNK))
    _init_worker(settings, models, data)
    if workers <= 1 or len(paths) < PARALLEL_MIN:
        return [_work(path) for path in paths]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    initargs = (settings, models, data)
    with ProcessPoolExecutor(workers, context, _init_worker, initargs) as pool:
        return list(pool.map(_work, paths, chunksize=CHUNK))


def run(settings: Settings) -> int:
    """Run `fe-gen optimize` as `settings` say; returns the exit status."""
    started = time.perf_counter()
    walker = Walker(settings.exclude, settings.project_root or settings.cwd)
    paths = walker.files(settings.paths)
    data, outcomes = _read(paths)
    models = _models(settings, walker, data)
    outcomes += _run(data, settings, models)
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
    data = text.encode("utf-8")
    path = Path(os.path.abspath(path))
    models = ModelsIndex(SourceSet({path: data}))
    return process(path, data, rules, mode, unsafe_fixes, models)
