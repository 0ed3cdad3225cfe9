"""The harness reads schemathesis' and the server's logs right: grouping, reproductions, counts."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from tests.fuzz.results import read_events, reproduction, server_exceptions, shape

BASE = "http://127.0.0.1:41234"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param(
            '"name" is a required property', '"_" is a required property', id="quoted-name"
        ),
        pytest.param(
            "(asyncpg.Error) invalid input for query argument $3: 10000000000001 (value out of int32 range)",
            "(asyncpg.Error) invalid input for query argument $N: _ (value out of intN range)",
            id="driver-value",
        ),
        pytest.param(
            "invalid input for query argument $1 in element #5 of executemany() sequence: [-1, 2... (x)",
            "invalid input for query argument $N in element #N of executemany() sequence: _ (x)",
            id="bulk-driver-value",
        ),
        pytest.param("Received: 400", "Received: N", id="number"),
    ],
)
def test_shape_blanks_values(message: str, expected: str) -> None:
    assert shape(message) == expected


def _request(method: str, path: str, body: bytes | None = None) -> dict[str, object]:
    request: dict[str, object] = {"method": method, "uri": BASE + path, "headers": {}}
    if body is not None:
        request["headers"] = {"Content-Type": ["application/json"]}
        request["body"] = {"$base64": base64.b64encode(body).decode()}
    return request


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        pytest.param(
            _request("GET", "/authors?fields=id"),
            "curl -X GET 'http://127.0.0.1:8000/authors?fields=id'",
            id="query",
        ),
        pytest.param(
            _request("POST", "/tags", b'{"name": "it\'s"}'),
            "curl -X POST -H 'Content-Type: application/json' --data-binary "
            '\'{"name": "it\'"\'"\'s"}\' http://127.0.0.1:8000/tags',
            id="json-body",
        ),
        pytest.param(
            _request("POST", "/tags", b"\xb0\x00%'"),
            "printf '\\xb0\\x00\\x25\\x27' | curl -X POST -H 'Content-Type: application/json' "
            "--data-binary @- http://127.0.0.1:8000/tags",
            id="bytes-piped",
        ),
    ],
)
def test_reproduction_is_a_bash_command(request_: dict[str, object], expected: str) -> None:
    assert reproduction(request_, BASE) == expected


def test_piped_bytes_are_sent_as_they_were() -> None:
    body = b"\xb0\x00%'\\\xc2\x85\xf0\x9f\x98\x80"
    command = reproduction(_request("POST", "/tags", body), BASE).split(" | ")[0]
    assert subprocess.run(["bash", "-c", command], capture_output=True).stdout == body


def test_server_exceptions_are_keyed_by_test_case() -> None:
    log = (
        "INFO:     Application startup complete.\n"
        "ERROR:    FE-GEN-FUZZ-EXCEPTION abc123 builtins.OverflowError: too large\n"
        "ERROR:    Exception in ASGI application\n"
        "Traceback (most recent call last):\n"
    )
    assert server_exceptions(log) == {"abc123": ["builtins.OverflowError: too large"]}


Case = tuple[dict[str, object], str, int, list[dict[str, object]]]


def _scenario(phase: str, cases: dict[str, Case]) -> str:
    """A ScenarioFinished event: per case id, the request, its path template, status, checks."""
    recorder: dict[str, dict[str, object]] = {"cases": {}, "interactions": {}, "checks": {}}
    for case_id, (request, path, status, checks) in cases.items():
        meta = {"phase": {"name": phase}}
        value = {"method": request["method"], "path": path, "meta": meta}
        recorder["cases"][case_id] = {"value": value}
        response = {"status_code": status, "content": {"$base64": ""}}
        recorder["interactions"][case_id] = {"request": request, "response": response}
        recorder["checks"][case_id] = checks
    return json.dumps({"ScenarioFinished": {"phase": phase, "recorder": recorder}})


def _failed(name: str, code: str, title: str, message: str) -> dict[str, object]:
    failure = {"code": code, "title": title, "message": message}
    return {"name": name, "status": "failure", "failure_info": {"failure": failure}}


def test_read_events_counts_and_groups(tmp_path: Path) -> None:
    server_error = _failed("not_a_server_error", "ST101", "Server error", "Server error")
    undocumented = _failed("status_code_conformance", "ST103", "Undocumented status code", "")
    mismatch = _failed(
        "response_schema_conformance", "ST108", "Response violates schema", '"name" is required'
    )
    scenario = _scenario(
        "fuzzing",
        {
            "a": (
                _request("GET", "/authors/99999999999"),
                "/authors/{id}",
                500,
                [server_error, undocumented],
            ),
            "b": (_request("GET", "/authors?fields=id"), "/authors", 200, [mismatch]),
            "c": (_request("GET", "/authors?fields=bio"), "/authors", 200, [mismatch]),
        },
    )
    log = tmp_path / "events-0.ndjson"
    log.write_text(scenario + "\n" + json.dumps({"EngineFinished": {}}) + "\n")
    exceptions = {"a": ["builtins.OverflowError: int too large"]}
    outcome = read_events([log], BASE, exceptions, case="bookstore", database="sqlite")
    assert (outcome.requests, outcome.server_errors, outcome.schema_mismatches) == (3, 1, 2)
    assert outcome.other_failures == 0  # the 500's undocumented status is the server error
    assert [(group.check, group.count) for group in outcome.groups] == [
        ("ST101 Server error", 1),
        ("ST108 Response violates schema", 2),
    ]
    assert outcome.groups[0].message == "builtins.OverflowError: int too large"
    assert outcome.stateful_gaps == ("GET /authors", "GET /authors/{id}")
    assert not outcome.ok


def test_a_run_that_did_not_finish_is_an_error(tmp_path: Path) -> None:
    log = tmp_path / "events-0.ndjson"
    log.write_text(json.dumps({"EngineStarted": {}}) + "\n")
    outcome = read_events([log], BASE, {}, case="bookstore", database="sqlite")
    assert outcome.errors == (
        "schemathesis stopped before the end of its run (events-0.ndjson) (x1)",
    )
