"""The settings presets of the generated app: defaults chosen by ENVIRONMENT.

The same for every project; the config template renders them as `PRESETS` and the README as
its table, from this one list.
"""

from __future__ import annotations

from dataclasses import dataclass

ENVIRONMENTS = ("development", "production", "high-traffic")


@dataclass(frozen=True)
class Preset:
    setting: str
    """The Settings field (`pool_size`); its environment variable is the upper case."""
    values: tuple[str, ...]
    """Its Python literal in each of ENVIRONMENTS."""
    meaning: str
    """What it sets, for the README's table."""


PRESETS = (
    Preset("pool_size", ("5", "20", "40"), "PostgreSQL connections each process keeps open"),
    Preset(
        "max_overflow",
        ("0", "0", "10"),
        "connections opened past the pool in a burst, closed when given back",
    ),
    Preset(
        "pool_timeout",
        ("10.0", "10.0", "3.0"),
        "seconds a request waits for a connection before a 503",
    ),
    Preset("pool_recycle", ("1800", "1800", "1800"), "seconds before a connection is replaced"),
    Preset(
        "pool_ping_after",
        ("10.0", "10.0", "10.0"),
        "seconds idle after which a connection is pinged when lent (dead ones are replaced)",
    ),
    Preset(
        "statement_timeout",
        ("0.0", "30.0", "5.0"),
        "seconds PostgreSQL lets a statement run (0: no limit)",
    ),
    Preset("max_page_size", ("500", "500", "200"), "the largest `limit=` a list accepts"),
    Preset("server_timing", ("True", "False", "False"), "the Server-Timing header"),
    Preset(
        "statement_budget",
        ("10", "20", "20"),
        "statements a request may run before a warning names it (N+1)",
    ),
    Preset(
        "cache_ttl",
        ("1.0", "1.0", "1.0"),
        "seconds a cached read lives: how stale another replica may serve it after a write",
    ),
    Preset(
        "cache_max_entries",
        ("10_000", "10_000", "100_000"),
        "cached reads each process keeps at most (the oldest go first)",
    ),
    Preset(
        "cache_max_bytes",
        ("67_108_864", "67_108_864", "268_435_456"),
        "bytes of cached responses each process keeps at most",
    ),
    Preset(
        "slow_statement",
        ("0.1", "0.5", "0.2"),
        "seconds from which a statement is logged with its SQL (0: none)",
    ),
)


def presets_literal() -> str:
    """`PRESETS` of the generated config: `{"development": {"pool_size": 5, ...}, ...}`."""
    lines = []
    for index, environment in enumerate(ENVIRONMENTS):
        values = ", ".join(f'"{each.setting}": {each.values[index]}' for each in PRESETS)
        lines.append(f'    "{environment}": {{{values}}},\n')
    return "{\n" + "".join(lines) + "}"


def presets_table() -> str:
    """The README's table of the presets, a row per setting."""
    head = "| Setting | " + " | ".join(f"`{name}`" for name in ENVIRONMENTS) + " | |"
    rows = [head, "|---|" + "---:|" * len(ENVIRONMENTS) + "---|"]
    for each in PRESETS:
        values = " | ".join(value.lower() for value in each.values)
        rows.append(f"| `{each.setting.upper()}` | {values} | {each.meaning} |")
    return "\n".join(rows)
