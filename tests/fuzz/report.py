"""Text for people: the summary table of fuzzing runs and the failures behind each."""

from __future__ import annotations

from collections.abc import Iterable

from tests.fuzz.results import FailureGroup, Outcome, shape

COLUMNS = (
    "project",
    "database",
    "requests",
    "server errors",
    "schema mismatches",
    "other failures",
    "seconds",
)


def table(outcomes: Iterable[Outcome]) -> str:
    rows = [
        (
            outcome.case,
            outcome.database,
            f"{outcome.requests}" + (f" (< {outcome.min_requests})" if outcome.short else ""),
            str(outcome.server_errors),
            str(outcome.schema_mismatches),
            str(outcome.other_failures + len(outcome.errors)),
            f"{outcome.seconds:.0f}",
        )
        for outcome in outcomes
    ]
    widths = [max(len(row[index]) for row in [COLUMNS, *rows]) for index in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [COLUMNS, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def details(outcome: Outcome) -> str:
    """Every failure group of one run with a reproduction, then the server's exceptions."""
    lines = [
        f"== {outcome.case} on {outcome.database}: {outcome.requests} requests "
        f"({outcome.test_cases} test cases), {outcome.server_errors} server errors, "
        f"{outcome.schema_mismatches} schema mismatches, {outcome.other_failures} other failures"
    ]
    if outcome.short:
        lines.append(f"   fewer requests than the {outcome.min_requests} this run must send")
    lines += [_group(group) for group in outcome.groups]
    if outcome.exceptions:
        lines.append("   server tracebacks end with:")
        lines += [f"     {count:>5} x {line}" for line, count in outcome.exceptions]
    if outcome.stateful_gaps:
        lines.append("   the stateful phase got no 2xx from: " + ", ".join(outcome.stateful_gaps))
    if outcome.errors:
        lines.append("   schemathesis could not test:")
        lines += [f"     {error}" for error in outcome.errors]
    return "\n".join(lines)


def _group(group: FailureGroup) -> str:
    status = "-" if group.status is None else str(group.status)
    return (
        f"-- {group.check} | {group.operation} | {status} | x{group.count}\n"
        f"   {group.message}\n"
        f"   answered: {group.answered}\n"
        f"{_indented(group.reproduction)}"
    )


def _indented(reproduction: str, limit: int = 2000) -> str:
    """The reproduction, each command on its line; a long one cut (the NDJSON log has it all)."""
    lines = []
    for command in reproduction.splitlines():
        cut = command if len(command) <= limit else f"{command[:limit]}... ({len(command)} chars)"
        lines.append(f"   $ {cut}")
    return "\n".join(lines)


def across_projects(outcomes: Iterable[Outcome]) -> str:
    """Failure groups deduplicated across runs: check, status and message, with where they occur."""
    merged: dict[tuple[str, int | None, str], tuple[FailureGroup, set[str]]] = {}
    exceptions: dict[str, set[str]] = {}
    for outcome in outcomes:
        run = f"{outcome.case}/{outcome.database}"
        for group in outcome.groups:
            key = (group.check, group.status, shape(group.message))
            merged.setdefault(key, (group, set()))[1].add(run)
        for line, _count in outcome.exceptions:
            exceptions.setdefault(line, set()).add(run)
    lines = []
    for (check, status, _), (first, where) in sorted(merged.items(), key=lambda item: str(item[0])):
        lines.append(f"-- {check} | {status} | {first.message}\n   in {', '.join(sorted(where))}")
        lines.append(f"   e.g. {first.operation}, answered: {first.answered}")
        lines.append(_indented(first.reproduction))
    for line, where in sorted(exceptions.items()):
        lines.append(f"-- server traceback: {line}\n   in {', '.join(sorted(where))}")
    return "\n".join(lines)
