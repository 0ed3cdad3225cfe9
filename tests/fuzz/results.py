"""What a schemathesis run found, read from its NDJSON event log and from the server's log.

Every failed check of every recorded request counts. Failures are grouped by check,
operation, status and message (names and numbers blanked), each group with one
reproduction: the shortest curl command that triggered it, pointed at the project served
locally by `uvicorn app.main:app` (http://127.0.0.1:8000). A server error's message is the
exception the server logged for that very request (see `server/fe_gen_fuzz_app.py`).
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

LOCAL = "http://127.0.0.1:8000"
SCHEMA_CHECK = "response_schema_conformance"
SERVER_CHECK = "not_a_server_error"
STATUS_CHECK = "status_code_conformance"
EXCEPTION_MARK = "FE-GEN-FUZZ-EXCEPTION"


@dataclass(frozen=True)
class FailureGroup:
    """Failures of one check on one operation with one status and one kind of message."""

    check: str  # schemathesis' code and title (`ST108 Response violates schema`) or our check
    operation: str
    status: int | None
    message: str
    answered: str  # the start of the response body
    reproduction: str  # bash: the request, after the requests of its scenario it needs
    count: int = 1


@dataclass(frozen=True)
class Outcome:
    case: str
    database: str
    test_cases: int
    requests: int
    server_errors: int  # responses with a 5xx status
    schema_mismatches: int  # failed response-schema checks
    other_failures: int  # every other failed check
    groups: tuple[FailureGroup, ...]
    errors: tuple[str, ...]  # what schemathesis could not test (unsatisfiable schemas ...)
    exceptions: tuple[tuple[str, int], ...]  # what the server raised (numbers blanked), count
    # Operations the stateful phase never got a 2xx from: what it did not create, read,
    # update or delete through links (not a failure: a gap in what the run proves).
    stateful_gaps: tuple[str, ...] = ()
    seconds: float = 0.0
    min_requests: int = 0

    @property
    def short(self) -> bool:
        """Whether the run sent fewer requests than its budget requires."""
        return self.requests < self.min_requests

    @property
    def ok(self) -> bool:
        return not (
            self.server_errors or self.groups or self.errors or self.exceptions or self.short
        )

    def finished(self, *, seconds: float, min_requests: int) -> Outcome:
        return replace(self, seconds=seconds, min_requests=min_requests)


def server_exceptions(log: str) -> dict[str, list[str]]:
    """The exceptions the server logged, by schemathesis test case id (`-` when unknown)."""
    found: dict[str, list[str]] = {}
    for line in log.splitlines():
        _, mark, rest = line.partition(EXCEPTION_MARK + " ")
        if mark:
            case_id, _, exception = rest.partition(" ")
            found.setdefault(case_id, []).append(exception.strip())
    return found


@dataclass
class _Tally:
    base_url: str
    exceptions: dict[str, list[str]]
    test_cases: int = 0
    requests: int = 0
    server_errors: int = 0
    schema_mismatches: int = 0
    other_failures: int = 0
    groups: dict[tuple[str, str, int | None, str], FailureGroup] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)
    stateful_2xx: set[str] = field(default_factory=set)


def read_events(
    logs: list[Path], base_url: str, exceptions: dict[str, list[str]], *, case: str, database: str
) -> Outcome:
    """Fold schemathesis' NDJSON event logs (one per run) and the server's exceptions."""
    tally = _Tally(base_url, exceptions)
    for log in logs:
        finished = False
        for event in _events(log):
            kind, payload = next(iter(event.items()))
            if kind == "ScenarioFinished":
                _scenario(tally, payload["recorder"], stateful=payload.get("phase") == "stateful")
            elif kind == "NonFatalError":
                tally.errors[_error_line(payload)] += 1
            elif kind == "FatalError":
                tally.errors[f"fatal: {_error_line(payload)}"] += 1
            elif kind == "EngineFinished":
                finished = True
        if not finished:
            tally.errors[f"schemathesis stopped before the end of its run ({log.name})"] += 1
    raised = Counter(shape(line) for lines in exceptions.values() for line in lines)
    return Outcome(
        case=case,
        database=database,
        test_cases=tally.test_cases,
        requests=tally.requests,
        server_errors=tally.server_errors,
        schema_mismatches=tally.schema_mismatches,
        other_failures=tally.other_failures,
        groups=tuple(
            sorted(tally.groups.values(), key=lambda group: (group.check, group.operation))
        ),
        errors=tuple(f"{line} (x{count})" for line, count in sorted(tally.errors.items())),
        exceptions=tuple(raised.most_common()),
        stateful_gaps=tuple(sorted(tally.operations - tally.stateful_2xx)),
    )


def _events(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _scenario(tally: _Tally, recorder: dict[str, Any], *, stateful: bool) -> None:
    cases, interactions = recorder.get("cases", {}), recorder.get("interactions", {})
    tally.test_cases += len(cases)
    tally.requests += len(interactions)
    for case_id, interaction in interactions.items():
        status = (interaction.get("response") or {}).get("status_code") or 0
        if status >= 500:
            tally.server_errors += 1
        case = (cases.get(case_id) or {}).get("value") or {}
        label = f"{case.get('method', '?')} {case.get('path', '?')}"
        phase = ((case.get("meta") or {}).get("phase") or {}).get("name")
        if phase in ("fuzzing", "stateful"):  # the coverage phase also tries undocumented methods
            tally.operations.add(label)
        if stateful and 200 <= status < 300:
            tally.stateful_2xx.add(label)
    for case_id, checks in recorder.get("checks", {}).items():
        for check in checks:
            if check.get("status") == "failure":
                _failure(tally, check, case_id, recorder)


def _failure(tally: _Tally, check: dict[str, Any], case_id: str, recorder: dict[str, Any]) -> None:
    interaction = recorder.get("interactions", {}).get(case_id, {})
    failure = (check.get("failure_info") or {}).get("failure") or {}
    name = check["name"]
    status = (interaction.get("response") or {}).get("status_code")
    if name == STATUS_CHECK and status is not None and status >= 500:
        return  # a server error, counted once as such
    if name == SCHEMA_CHECK:
        tally.schema_mismatches += 1
    elif name != SERVER_CHECK:
        tally.other_failures += 1
    code = failure.get("code")
    title = f"{code} {failure.get('title', name)}" if code and code != "custom" else name
    message = _first_line(failure.get("message") or failure.get("title") or "")
    if name == SERVER_CHECK and tally.exceptions.get(case_id):
        message = tally.exceptions[case_id][0]
    operation = failure.get("operation") or _operation(recorder, case_id)
    key = (title, operation, status, shape(message))
    curl = "\n".join(
        reproduction(recorder["interactions"][step].get("request") or {}, tally.base_url)
        for step in _chain(recorder, case_id)
    )
    known = tally.groups.get(key)
    if known is None:
        answered = _excerpt(interaction.get("response") or {})
        tally.groups[key] = FailureGroup(title, operation, status, message, answered, curl)
    else:
        shorter = curl if len(curl) < len(known.reproduction) else known.reproduction
        tally.groups[key] = replace(known, count=known.count + 1, reproduction=shorter)


def _chain(recorder: dict[str, Any], case_id: str) -> list[str]:
    """The requests that reproduce a case: in a stateful scenario, its ancestors and the
    successful writes sent since the first of them (a DELETE a later read depends on)."""
    cases, interactions = recorder.get("cases", {}), recorder.get("interactions", {})
    ancestors, step = [], case_id
    while step in cases and step not in ancestors:
        ancestors.append(step)
        step = cases[step].get("parent_id")
    order = [step for step in cases if step in interactions]
    if len(ancestors) == 1 or ancestors[-1] not in order or case_id not in order:
        return [case_id] if case_id in interactions else []
    steps = order[order.index(ancestors[-1]) : order.index(case_id) + 1]
    return [step for step in steps if step in ancestors or _successful_write(interactions[step])]


def _successful_write(interaction: dict[str, Any]) -> bool:
    method = (interaction.get("request") or {}).get("method", "GET").upper()
    status = (interaction.get("response") or {}).get("status_code") or 0
    return method not in ("GET", "HEAD", "OPTIONS") and 200 <= status < 300


def _excerpt(response: dict[str, Any], limit: int = 160) -> str:
    body = _bytes(response.get("content")) or b""
    text = body.decode("utf-8", errors="replace").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _operation(recorder: dict[str, Any], case_id: str) -> str:
    case = (recorder.get("cases", {}).get(case_id) or {}).get("value") or {}
    return f"{case.get('method', '?')} {case.get('path', '?')}"


def shape(message: str) -> str:
    """A message with the values in it blanked, to group failures alike: quoted names, numbers,
    and the value a driver error quotes before its reason in parentheses."""
    message = re.sub(
        r"(query argument \$\d+(?: in element #\d+ of [^:]+)?): .* \(", r"\1: _ (", message
    )
    message = re.sub(r"\[[^\]]*(\]|\.\.\.)|\{[^}]*(\}|\.\.\.)", "[_]", message)
    return re.sub(r"-?\d+", "N", re.sub(r'"[^"]*"|`[^`]*`|\'[^\']*\'', '"_"', message))


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 300 else line[:297] + "..."


def _error_line(payload: dict[str, Any]) -> str:
    value = payload.get("value") or payload.get("exception") or {}
    text = value[:300] if isinstance(value, str) else json.dumps(value)[:300]
    return f"{payload.get('label', '-')}: {text}"


def reproduction(request: dict[str, Any], base_url: str) -> str:
    """A bash command sending `request` with curl to the project served locally."""
    uri = str(request.get("uri", "")).replace(base_url, LOCAL, 1)
    parts = ["curl", "-X", request.get("method", "GET")]
    for name, values in (request.get("headers") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = _bytes(request.get("body"))
    text = None if body is None else body.decode("utf-8", errors="surrogateescape")
    if text is not None and text.isprintable():
        parts += ["--data-binary", shlex.quote(text)]
    elif text is not None:  # bytes an argument cannot carry (NUL, invalid UTF-8): piped
        return f"printf '{_printf_escaped(text)}' | " + " ".join(
            [*parts, "--data-binary", "@-", shlex.quote(uri)]
        )
    return " ".join([*parts, shlex.quote(uri)])


def _bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, dict) and "$base64" in value:
        return base64.b64decode(value["$base64"])
    return str(value).encode()


def _printf_escaped(text: str) -> str:
    """`text` (bytes that are not UTF-8 as surrogates) as a single-quoted printf format."""
    escaped = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8
            escaped.append(f"\\x{code - 0xDC00:02x}")
        elif char in "\\'%" or not char.isprintable():
            escaped.append(_escape(code))
        else:
            escaped.append(char)
    return "".join(escaped)


def _escape(code: int) -> str:
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
