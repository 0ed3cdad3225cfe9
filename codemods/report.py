"""What a run prints: findings as text, JSON or GitHub annotations, diffs, and a summary.

Findings, diffs and JSON go to stdout (what CI and tools read); errors in text mode and
the closing summary go to stderr, so `--format json > out.json` stays valid JSON.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fe_gen.codemods.config import Mode, OutputFormat, Settings

if TYPE_CHECKING:
    from fe_gen.codemods.runner import FileOutcome, Reported


def display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def text_line(finding: Reported, cwd: Path) -> str:
    where = f"{display(finding.path, cwd)}:{finding.line}:{finding.column}"
    return f"{where}: {finding.code} {finding.message}"


def _escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_line(finding: Reported, cwd: Path) -> str:
    fields = ",".join(
        [
            f"file={_escape(display(finding.path, cwd), True)}",
            f"line={finding.line}",
            f"col={finding.column}",
            f"endLine={finding.end_line}",
            f"endColumn={finding.end_column}",
            f"title={_escape(f'{finding.code} {finding.name}', True)}",
        ]
    )
    return f"::error {fields}::{_escape(f'{finding.code} {finding.message}')}"


def as_json(outcomes: Sequence[FileOutcome], cwd: Path) -> str:
    import json

    findings: list[dict[str, Any]] = [
        {
            "path": display(f.path, cwd),
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "end_column": f.end_column,
            "code": f.code,
            "name": f.name,
            "message": f.message,
            "fix": f.fix,
        }
        for outcome in outcomes
        for f in outcome.findings
    ]
    errors = [{"path": display(o.path, cwd), "error": o.error} for o in outcomes if o.error]
    fixed = [display(o.path, cwd) for o in outcomes if o.new_data is not None]
    return json.dumps({"findings": findings, "errors": errors, "changed": fixed}, indent=2)


def diff(outcome: FileOutcome, cwd: Path) -> str:
    import difflib

    name = display(outcome.path, cwd)
    return "".join(
        difflib.unified_diff(
            outcome.old_text.splitlines(keepends=True),
            outcome.new_text.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )


def emit(outcomes: Sequence[FileOutcome], settings: Settings, seconds: float) -> None:
    """Print findings (or diffs), errors and the summary for a finished run."""
    out, cwd = sys.stdout, settings.cwd
    ordered = sorted(outcomes, key=lambda o: o.path)
    if settings.output is OutputFormat.JSON:
        out.write(as_json(ordered, cwd) + "\n")
    elif settings.mode is Mode.DIFF:
        out.writelines(diff(o, cwd) for o in ordered if o.new_data is not None)
    for outcome in ordered:
        if settings.output is OutputFormat.TEXT and settings.mode is not Mode.DIFF:
            out.writelines(text_line(f, cwd) + "\n" for f in outcome.findings)
        elif settings.output is OutputFormat.GITHUB:
            out.writelines(github_line(f, cwd) + "\n" for f in outcome.findings)
        if outcome.error and settings.output is OutputFormat.GITHUB:
            where = _escape(display(outcome.path, cwd), True)
            out.write(f"::error file={where}::{_escape(outcome.error)}\n")
        elif outcome.error and settings.output is OutputFormat.TEXT:
            sys.stderr.write(f"{display(outcome.path, cwd)}: error: {outcome.error}\n")
    out.flush()
    summary(outcomes, settings, seconds)


def summary(outcomes: Sequence[FileOutcome], settings: Settings, seconds: float) -> None:
    """The closing lines on stderr: files scanned / skipped / fixed, findings by rule, time."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    skipped = sum(o.skipped for o in outcomes)
    errors = sum(bool(o.error) for o in outcomes)
    changed = sum(o.new_data is not None for o in outcomes)
    fixes = sum((o.fixed for o in outcomes), Counter[str]())
    found = Counter(f"{f.code} {f.name}" for o in outcomes for f in o.findings)
    unsafe = sum(f.fix == "unsafe" for o in outcomes for f in o.findings)
    safe = sum(f.fix == "safe" for o in outcomes for f in o.findings)
    verb = {Mode.FIX: "fixed", Mode.CHECK: "would fix", Mode.DIFF: "would change"}[settings.mode]
    analysed = len(outcomes) - skipped - errors
    console.print(
        f"[bold]fe-gen optimize[/]: {_count(len(outcomes), 'file')} scanned, {skipped} skipped "
        f"by the prefilter, {analysed} analysed, {errors} with errors in {seconds:.2f} s"
    )
    if settings.mode is not Mode.CHECK:
        fixed_text = ", ".join(f"{code} x{n}" for code, n in sorted(fixes.items())) or "none"
        hint = " (run `fe-gen optimize` to apply)" if settings.mode is Mode.DIFF and changed else ""
        console.print(f"{verb} {_count(changed, 'file')} ({fixed_text}){hint}")
    if found:
        by_rule = ", ".join(f"{rule}: {n}" for rule, n in sorted(found.items()))
        notes = []
        if safe and settings.mode is Mode.CHECK:
            notes.append(f"{safe} fixable by running `fe-gen optimize`")
        if unsafe and not settings.unsafe_fixes:
            notes.append(f"{unsafe} more with --unsafe-fixes")
        tail = f" ({'; '.join(notes)})" if notes else ""
        console.print(f"[bold red]{_count(sum(found.values()), 'finding')}[/]: {by_rule}{tail}")
    elif not errors:
        console.print("[green]nothing left to report[/]" if changed else "[green]no findings[/]")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
