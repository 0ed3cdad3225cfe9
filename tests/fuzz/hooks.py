"""What fe-gen adds to schemathesis, loaded into its process with SCHEMATHESIS_HOOKS.

Two checks:

- `problem_detail`: every 4xx answers JSON with a `detail` naming the problem: a sentence, or
  FastAPI's list of validation errors, each with where (`loc`) and what (`msg`).
- `write_is_persisted`: in the stateful phase, reading a row right after a create or an
  update that answered 2xx finds it, holding what that write answered. A write acknowledged
  and not done (no commit, a rolled-back transaction, RETURNING values the table does not
  hold) fails here. schemathesis' `use_after_free` catches the delete that left the row; its
  `ensure_resource_availability` only looks at reads whose every parameter came from a link,
  which `?fields=` and `?include=` rule out here, hence the 404 case of this check.

`write_is_persisted` reads the stateful scenario through `ctx.internals`, which schemathesis
keeps for its own checks: it is written against 4.32 (pinned in pyproject.toml).
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

WRITES = {"POST", "PATCH", "PUT", "DELETE"}


@schemathesis.check
def problem_detail(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx response is JSON with a `detail` naming the problem."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        raise AssertionError(
            f"{response.status_code} answered {content_type or 'no content type'}, not JSON"
        )
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise AssertionError(f"{response.status_code} body is not JSON: {error}") from None
    detail = body.get("detail") if isinstance(body, dict) else None
    if not _names_a_problem(detail):
        raise AssertionError(
            f"{response.status_code} body has no `detail` naming the problem: "
            f"{response.content[:200]!r}"
        )
    return True


def _names_a_problem(detail: object) -> bool:
    if isinstance(detail, str):
        return bool(detail.strip())
    if isinstance(detail, list) and detail:
        return all(
            isinstance(error, dict)
            and isinstance(error.get("msg"), str)
            and error["msg"].strip()
            and isinstance(error.get("loc"), list)
            for error in detail
        )
    return False


@schemathesis.check
def write_is_persisted(ctx: Any, response: Any, case: Any) -> bool | None:
    """A row read right after an acknowledged create or update exists, as the write answered it."""
    if case.method.upper() != "GET" or response.status_code not in (200, 404):
        return None
    if not case.path_parameters:
        return None
    parent = ctx.internals.find_parent(case_id=case.id)
    if parent is None or parent.method.upper() not in {"POST", "PATCH", "PUT"}:
        return None
    written = ctx.internals.find_response(case_id=parent.id)
    if written is None or not 200 <= written.status_code < 300:
        return None
    before = _json(written.content)
    if not isinstance(before, dict) or not _same_row(case, parent, before):
        return None
    if _written_since(ctx, parent, case):
        return None
    write = f"`{parent.method.upper()} {parent.path}` answered {written.status_code}"
    if response.status_code == 404:
        raise AssertionError(f"{write}, but `GET {case.path}` answers 404 for the row it wrote")
    after = _json(response.content)
    if not isinstance(after, dict):
        return None
    differences = {
        key: (before[key], after[key])
        for key in before.keys() & after.keys()
        if before[key] != after[key]
    }
    if differences:
        listed = "; ".join(
            f"{key}: {old!r} answered, {new!r} read"
            for key, (old, new) in sorted(differences.items())
        )
        raise AssertionError(f"{write}, but `GET {case.path}` reads other values: {listed}")
    return True


def _json(content: bytes) -> object:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _same_row(case: Any, parent: Any, written: dict[str, Any]) -> bool:
    """The GET reads the row the write answered: its path names that row's key."""
    if parent.method.upper() == "POST":
        if not case.path.startswith(parent.path.rstrip("/") + "/"):
            return False
    elif parent.path != case.path:
        return False
    return all(
        name in written and str(written[name]) == str(value)
        for name, value in case.path_parameters.items()
    )


def _written_since(ctx: Any, parent: Any, case: Any) -> bool:
    """Whether another write succeeded between the parent and this read (and may have changed
    the row)."""
    seen_parent = False
    for other in ctx.internals.find_all_cases():
        if other.id == parent.id:
            seen_parent = True
        elif other.id == case.id:
            break
        elif seen_parent and other.method.upper() in WRITES:
            answered = ctx.internals.find_response(case_id=other.id)
            if answered is not None and 200 <= answered.status_code < 300:
                return True
    return False
