"""The run's phases in forked processes: a pool per phase, and the analyst.

Workers are forked, never spawned, so they inherit what the parent holds (the settings,
the file contents, the models index, and LibCST once it is imported) instead of
unpickling or importing it again. Where there is no fork (Windows), everything runs in
one process.

The analyst is one process forked before the `ast` phase: it imports LibCST and the
rules (about 0.3 s) while the parent parses, then runs the LibCST phase on the files it
is sent, in a pool of its own forks when there are enough of them. Without it, the
import would start only once the `ast` phase is over. If the analyst cannot answer, the
parent runs the phase itself.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from fe_gen.codemods.runner import FileOutcome, Prepared, finish, prepare

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from fe_gen.codemods.config import Settings
    from fe_gen.codemods.hints import Hints
    from fe_gen.codemods.models_index import ModelsIndex
    from fe_gen.codemods.rules import RuleEntry

T = TypeVar("T")
R = TypeVar("R")

# Below these, a phase runs in one process: a pool costs its start, and each worker
# builds its own models index; the ast phase costs about 0.4 s a megabyte, the LibCST
# phase about 40 ms for a thousand characters the reduction left.
PREPARE_MIN = 1_000_000  # bytes of source to parse with `ast`
FINISH_MIN = 40_000  # characters for LibCST (`_cost`), in two files at least

_STATE: tuple[Settings, Callable[[], ModelsIndex], dict[Path, bytes], Hints] | None = None


def set_state(
    settings: Settings, models: Callable[[], ModelsIndex], data: dict[Path, bytes], hints: Hints
) -> None:
    """What the phases read, set before any fork."""
    global _STATE
    _STATE = (settings, models, data, hints)


def prepare_one(path: Path) -> Prepared | FileOutcome:
    assert _STATE is not None
    settings, _, data, hints = _STATE
    return prepare(path, data[path], settings.rules, hints)


def finish_one(prepared: Prepared) -> FileOutcome:
    assert _STATE is not None
    settings, models, _, _ = _STATE
    return finish(prepared, settings.rules, settings.mode, settings.unsafe_fixes, models())


def can_fork() -> bool:
    return hasattr(os, "fork")  # not on Windows


def run_map(function: Callable[[T], R], items: list[T], workers: int, chunk: int) -> list[R]:
    """`function` over `items`, in a pool of `workers` forked processes if more than one."""
    workers = min(workers, -(-len(items) // chunk))
    if workers <= 1 or not can_fork():
        return [function(item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, context) as pool:
        return list(pool.map(function, items, chunksize=chunk))


def load_analysis(rules: Sequence[RuleEntry]) -> None:
    """Import LibCST and the rules, freeze what they load (modules live as long as the
    run), and let the garbage collector run again: LibCST's scopes and metadata hold
    reference cycles that only it frees."""
    from fe_gen.codemods import analyse  # noqa: F401  (LibCST)

    for rule in rules:
        rule.load()
    gc.freeze()
    gc.enable()


def prepare_all(paths: list[Path], workers: int) -> list[Prepared | FileOutcome]:
    """The `ast` phase, in a pool when there is enough to parse."""
    assert _STATE is not None
    data = _STATE[2]
    enough = sum(len(data[path]) for path in paths) >= PREPARE_MIN
    return run_map(prepare_one, paths, workers if enough else 1, chunk=4)


def finish_all(prepared: list[Prepared], workers: int) -> list[FileOutcome]:
    """The LibCST phase, LibCST loaded, in a pool when there is enough to analyse: the
    costliest files first, so that the workers end at about the same time."""
    ordered = sorted(prepared, key=_cost, reverse=True)
    enough = len(ordered) > 1 and sum(map(_cost, ordered)) >= FINISH_MIN
    return run_map(finish_one, ordered, workers if enough else 1, chunk=1)


def _cost(prepared: Prepared) -> int:
    """About what LibCST will take: the characters the reduction left."""
    return len(prepared.reduced) - prepared.reduced.count(" ")


class Analyst:
    """A forked process that imports LibCST now and runs the LibCST phase later."""

    def __init__(self, rules: Sequence[RuleEntry], workers: int) -> None:
        from multiprocessing.connection import Connection

        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the analyst: it never returns from here
            code = 1
            try:
                os.close(down_write)
                os.close(up_read)
                inbox = Connection(down_read, writable=False)
                outbox = Connection(up_write, readable=False)
                _analyst(inbox, outbox, rules, workers)
                code = 0
            finally:
                os._exit(code)
        os.close(down_read)
        os.close(up_write)
        self._send = Connection(down_write, readable=False)
        self._receive = Connection(up_read, writable=False)
        self._busy = False

    def finish(self, prepared: list[Prepared]) -> list[FileOutcome] | None:
        """The outcomes of `prepared`, or None if the analyst could not give them."""
        try:
            self._busy = True
            self._send.send(prepared)
            outcomes: list[FileOutcome] = self._receive.recv()
        except (EOFError, OSError):
            return None
        finally:
            self.close()
        return outcomes

    def close(self) -> None:
        """Reap the analyst: it ends by itself once it has sent its answer, and is killed
        if it never got work (it may still be importing LibCST)."""
        if self._pid == 0:
            return
        self._send.close()
        self._receive.close()
        if not self._busy:
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        self._pid = 0


def _analyst(
    inbox: Connection, outbox: Connection, rules: Sequence[RuleEntry], workers: int
) -> None:
    load_analysis(rules)
    try:
        prepared: list[Prepared] = inbox.recv()
    except EOFError:  # nothing for LibCST after all
        return
    outbox.send(finish_all(prepared, workers))
