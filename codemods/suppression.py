"""Inline suppressions: `# fe-gen: ignore[FE101]`, or a bare `# fe-gen: ignore` for all rules.

A suppression comment silences the findings reported on its line. For a finding that spans
several lines, the comment may sit on any line of the statement's first line, the lines of
the reported construct, or stand alone on the line just above the statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fe_gen.codemods.fileio import split_lines

_COMMENT = re.compile(r"#\s*fe-gen:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
ALL = "*"


def suppressions(text: str) -> dict[int, frozenset[str]]:
    """Line number (1-based) -> codes suppressed there (`ALL` for a bare ignore)."""
    found: dict[int, frozenset[str]] = {}
    if "fe-gen" not in text:
        return found
    lines = [line.rstrip("\r\n") for line in split_lines(text)]
    for number, line in enumerate(lines, start=1):
        match = _COMMENT.search(line)
        if match is None:
            continue
        raw = match.group("codes")
        codes = frozenset({ALL}) if raw is None else frozenset(_split(raw))
        found[number] = codes
        if line.lstrip().startswith("#") and number < len(lines):  # a comment-only line
            found[number + 1] = found.get(number + 1, frozenset()) | codes
    return found


def _split(raw: str) -> Iterable[str]:
    return (code.strip().upper() for code in raw.split(",") if code.strip())


def is_suppressed(code: str, lines: Iterable[int], table: dict[int, frozenset[str]]) -> bool:
    """Whether any of `lines` carries a suppression for `code`."""
    for line in lines:
        codes = table.get(line)
        if codes is not None and (ALL in codes or code in codes):
            return True
    return False
