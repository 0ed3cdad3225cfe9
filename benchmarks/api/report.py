"""The results: a Markdown table (medians over the rounds) and a grouped bar chart."""

from __future__ import annotations

import statistics
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.api.load import Result

FLOOR, FASTCRUD, CEILING, GENERATED = "floor", "fastcrud+tags", "ceiling", "generated"
TARGET = 0.70
CACHED = ("generated+l1", "generated+redis")
CACHED_TARGETS = (("get hot", "hot get", 0.90), ("list", "cached list", 0.80))
"""The cached variants' targets, as shares of the ceiling."""
OUTCOMES = ("hit-l1", "hit-l2", "coalesced", "miss")


@dataclass(frozen=True)
class Row:
    """One variant on one endpoint: the medians of its rounds and what the check saw."""

    variant: str
    endpoint: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    statements: tuple[int, ...]
    body_bytes: float


def medians(
    variant: str,
    endpoint: str,
    results: Sequence[Result],
    statements: tuple[int, ...],
    body_bytes: float,
) -> Row:
    return Row(
        variant,
        endpoint,
        statistics.median(r.requests_per_second for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
        statements,
        body_bytes,
    )


def _statements(counts: tuple[int, ...]) -> str:
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def _ratio(rows: Mapping[tuple[str, str], Row], row: Row, other: str) -> str:
    reference = rows.get((other, row.endpoint))
    if reference is None or reference.requests_per_second == 0:
        return "-"
    return f"{row.requests_per_second / reference.requests_per_second:.2f}"


def table(rows: Sequence[Row]) -> str:
    """The Markdown table, one line per variant and endpoint."""
    by_key = {(row.variant, row.endpoint): row for row in rows}
    lines = [
        "| variant | endpoint | req/s | p50 ms | p99 ms | statements | bytes "
        "| vs floor | vs FastCRUD | vs ceiling |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        errors = f" ({row.errors} errors)" if row.errors else ""
        lines.append(
            f"| {row.variant} | {row.endpoint} | {row.requests_per_second:,.0f}{errors} "
            f"| {row.p50_ms:.1f} | {row.p99_ms:.1f} | {_statements(row.statements)} "
            f"| {row.body_bytes:,.0f} | {_ratio(by_key, row, FLOOR)} "
            f"| {_ratio(by_key, row, FASTCRUD)} | {_ratio(by_key, row, CEILING)} |"
        )
    return "\n".join(lines)


def targets(rows: Sequence[Row]) -> list[str]:
    """The read path's targets, met or not, as the issue states them."""
    by_key = {(row.variant, row.endpoint): row for row in rows}
    lines = []
    for endpoint, what in (("list", "uncached list, author and tags"), ("get cold", "cold get")):
        generated, floor = by_key.get((GENERATED, endpoint)), by_key.get((FLOOR, endpoint))
        if generated and floor and floor.requests_per_second:
            ratio = generated.requests_per_second / floor.requests_per_second
            verdict = "met" if ratio >= TARGET else "not met"
            lines.append(
                f"- generated {what}: {ratio:.2f} of the floor (target {TARGET}): {verdict}"
            )
    for variant in CACHED:
        for endpoint, what, target in CACHED_TARGETS:
            row, ceiling = by_key.get((variant, endpoint)), by_key.get((CEILING, endpoint))
            if row and ceiling and ceiling.requests_per_second:
                ratio = row.requests_per_second / ceiling.requests_per_second
                verdict = "met" if ratio >= target else "not met"
                lines.append(
                    f"- {variant} {what}: {ratio:.2f} of the ceiling (target {target}): {verdict}"
                )
    generated_list = by_key.get((GENERATED, "list"))
    if generated_list:
        count = _statements(generated_list.statements)
        verdict = "met" if count == "1" else "not met"
        lines.append(f"- generated list: {count} statements per request (target 1): {verdict}")
    return lines


def cache_shares(outcomes: Mapping[str, int]) -> str:
    """`hits 99.2% (l1 98.0%, l2 1.2%, coalesced 0.0%), misses 0.8%` of cached reads."""
    total = sum(outcomes.values()) or 1
    share = {outcome: 100 * outcomes.get(outcome, 0) / total for outcome in OUTCOMES}
    return (
        f"hits {100 - share['miss']:.1f}% (l1 {share['hit-l1']:.1f}%, l2 {share['hit-l2']:.1f}%, "
        f"coalesced {share['coalesced']:.1f}%), misses {share['miss']:.1f}%"
    )


def cache_table(outcomes: Mapping[tuple[str, str], Sequence[Mapping[str, int]]]) -> str:
    """How the cached variants' reads were served, over every measured round."""
    lines = [
        "| variant | endpoint | reads | hit in process | hit in Redis | coalesced | miss |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (variant, endpoint), rounds in outcomes.items():
        summed = {outcome: sum(r.get(outcome, 0) for r in rounds) for outcome in OUTCOMES}
        total = sum(summed.values()) or 1
        shares = " | ".join(f"{100 * summed[outcome] / total:.1f}%" for outcome in OUTCOMES)
        lines.append(f"| {variant} | {endpoint} | {sum(summed.values()):,} | {shares} |")
    return "\n".join(lines)


def plot(rows: Sequence[Row], path: Path, title: str) -> None:
    """Grouped bars of req/s per endpoint, one bar per variant, on a log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    endpoints = list(dict.fromkeys(row.endpoint for row in rows))
    variants = list(dict.fromkeys(row.variant for row in rows))
    by_key = {(row.variant, row.endpoint): row for row in rows}
    width = 0.8 / len(variants)
    figure, axes = plt.subplots(figsize=(11, 5.5))
    for index, variant in enumerate(variants):
        xs, ys = [], []
        for position, endpoint in enumerate(endpoints):
            row = by_key.get((variant, endpoint))
            if row is not None:
                xs.append(position - 0.4 + width * (index + 0.5))
                ys.append(row.requests_per_second)
        bars = axes.bar(xs, ys, width, label=variant)
        axes.bar_label(bars, labels=[f"{y:,.0f}" for y in ys], fontsize=7, rotation=90, padding=2)
    axes.set_yscale("log")
    axes.set_ylabel("requests per second (log scale)")
    axes.set_xticks(range(len(endpoints)), endpoints)
    axes.set_title("\n".join(textwrap.wrap(title, 110)), fontsize=9)
    axes.legend(fontsize=8, ncols=3, loc="upper left")
    axes.margins(y=0.25)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
