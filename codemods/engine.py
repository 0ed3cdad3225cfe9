"""`fe-gen optimize`: walk the paths, run the rules on every file that may need them, fix.

The work per file is in `runner`, in two phases: `prepare` (text prefilter, decode,
stdlib-ast pre-check: cheap) and `finish` (LibCST: costly, and importing LibCST alone
takes ~0.3 s). This module finds the files, runs each phase in this process or in a pool
of forked workers, whichever pays (a pool only when a phase has enough files: every
worker pays for its own LibCST import), writes the fixed files, and folds the outcomes
into a report and an exit status: 0 clean, 1 findings or rewrites, 2 usage or internal
error.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from fe_gen.codemods import report
from fe_gen.codemods.config import Mode, Settings
from fe_gen.codemods.discovery import Walker, git_root
from fe_gen.codemods.fileio import write_atomic
from fe_gen.codemods.models_index import ModelsIndex, SourceSet
from fe_gen.codemods.rules import ALL_RULES, RuleEntry
from fe_gen.codemods.runner import FileOutcome, Prepared, finish, prepare, process

if TYPE_CHECKING:
    from concurrent.futures import Executor

T = TypeVar("T")
R = TypeVar("R")

PREPARE_MIN = 32  # files past the text prefilter before the ast phase goes parallel
FINISH_MIN = 3  # files for LibCST before that phase goes parallel (each worker imports it)

_WORKER: tuple[Settings, ModelsIndex, dict[Path, bytes]] | None = None


def _init_worker(settings: Settings, models: ModelsIndex, data: dict[Path, bytes]) -> None:
    global _WORKER
    _WORKER = (settings, models, data)


def _prepare(path: Path) -> Prepared | FileOutcome:
    assert _WORKER is not None
    settings, _, data = _WORKER
    return prepare(path, data[path], settings.rules)


def _finish(prepared: Prepared) -> FileOutcome:
    assert _WORKER is not None
    settings, models, _ = _WORKER
    return finish(prepared, settings.rules, settings.mode, settings.unsafe_fixes, models)


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


class _Workers:
    """A pool of forked workers, started on first need and shared by both phases; the
    workers inherit the file contents and the models index instead of unpickling them."""

    def __init__(self, settings: Settings) -> None:
        self._workers = settings.workers  # read once: it looks at the load average
        self._pool: Executor | None = None

    def map(self, function: Callable[[T], R], items: list[T], minimum: int, chunk: int) -> list[R]:
        workers = min(self._workers, -(-len(items) // chunk))
        if len(items) < minimum or workers <= 1:
            return [function(item) for item in items]
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            assert _WORKER is not None
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = ProcessPoolExecutor(workers, context, _init_worker, _WORKER)
        return list(self._pool.map(function, items, chunksize=chunk))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()


def _run(data: dict[Path, bytes], settings: Settings, models: ModelsIndex) -> list[FileOutcome]:
    _init_worker(settings, models, data)
    wanted = [p for p, b in data.items() if any(rule.prefilter(b) for rule in settings.rules)]
    outcomes = [FileOutcome(path, skipped=True) for path in data.keys() - set(wanted)]
    prepared: list[Prepared] = []
    workers = _Workers(settings)
    try:
        for item in workers.map(_prepare, wanted, PREPARE_MIN, chunk=4):
            if isinstance(item, Prepared):
                prepared.append(item)
            else:
                outcomes.append(item)
        return outcomes + workers.map(_finish, prepared, FINISH_MIN, chunk=1)
    finally:
        workers.close()


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
