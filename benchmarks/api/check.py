"""Before measuring: does every variant return the same content, and with how many statements?

Each variant's responses are reduced to the shared shape (a book's `BOOK_FIELDS`, its
author's id and name, its tags' ids and names) and compared with the floor's. The check is
tolerant in exactly two declared places, and says so in its report: a variant may return
fields beyond the shape that it declares (`extra`: the generated project says whether a
book has more tags than its include serves, `tags_more`), and may lack what it declares
(`missing`: FastCRUD's author-only variant returns no tags). Tags are compared as sets: no
variant is asked for an order. A create is compared with the body it was sent; the
ceiling's create returns its precomputed bytes, so only their shape is checked.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.api.load import Request, create_body
from benchmarks.api.serve import Variant
from benchmarks.api.variants.common import BOOK_FIELDS

_QUERIES = re.compile(r'desc="(\d+) quer')


class ContentMismatch(Exception):
    """A variant's response differs from the floor's beyond what it declares."""


@dataclass(frozen=True)
class Observed:
    """What the check saw of one variant's endpoint."""

    statements: tuple[int, ...]
    """Statements per checked request, from the Server-Timing header."""
    body_bytes: float
    """Mean response body size over the checked requests."""
    content: list[dict[str, Any]]
    """The items, reduced to the shared shape."""


def _statements(response: httpx.Response) -> int:
    found = _QUERIES.search(response.headers.get("server-timing", ""))
    return int(found.group(1)) if found else 0


def _items(body: Any) -> list[dict[str, Any]]:
    """The books of a response: a page (`items` or FastCRUD's `data`) or one book."""
    if isinstance(body, dict) and ("items" in body or "data" in body):
        items: list[dict[str, Any]] = body["items"] if "items" in body else body["data"]
        return items
    return [body]


def _keys(value: dict[str, Any], expected: Sequence[str], where: str, variant: Variant) -> None:
    allowed_extra = {
        name.removeprefix(where)
        for name in variant.extra
        if name.startswith(where) and "." not in name.removeprefix(where)
    }
    unexpected = set(value) - set(expected) - allowed_extra
    if unexpected:
        raise ContentMismatch(f"{variant.name}: {where or 'book'} has {sorted(unexpected)}")


def reduce(item: dict[str, Any], variant: Variant) -> dict[str, Any]:
    """One book in the shared shape, after checking it has nothing undeclared."""
    expected = [*BOOK_FIELDS, *(name for name in ("author", "tags") if name not in variant.missing)]
    _keys(item, expected, "", variant)
    book = {name: item[name] for name in BOOK_FIELDS}
    if "author" in expected:
        _keys(item["author"], ("id", "name"), "author.", variant)
        book["author"] = {"id": item["author"]["id"], "name": item["author"]["name"]}
    if "tags" in expected:
        for tag in item["tags"]:
            _keys(tag, ("id", "name"), "tags.", variant)
        book["tags"] = sorted((tag["id"], tag["name"]) for tag in item["tags"])
    return book


def _compare(variant: Variant, got: list[dict[str, Any]], floor: list[dict[str, Any]]) -> None:
    reference = [{k: v for k, v in book.items() if k not in variant.missing} for book in floor]
    if got != reference:
        ids = [book.get("id") for book in got]
        raise ContentMismatch(f"{variant.name}: items {ids[:5]}... differ from the floor's")


def observe_reads(
    client: httpx.Client, variant: Variant, request: Request, ids: Sequence[int]
) -> Observed:
    """GET the endpoint (once per id in `ids`, or once) and reduce what comes back."""
    paths = [request.path.replace("{id}", str(each)) for each in ids] or [request.path]
    statements: list[int] = []
    sizes: list[int] = []
    content: list[dict[str, Any]] = []
    for path in paths:
        response = client.get(path)
        if response.status_code != 200:
            raise ContentMismatch(f"{variant.name}: GET {path} -> {response.status_code}")
        statements.append(_statements(response))
        sizes.append(len(response.content))
        content.extend(reduce(item, variant) for item in _items(response.json()))
    return Observed(tuple(statements), statistics.fmean(sizes), content)


def observe_creates(
    client: httpx.Client, variant: Variant, request: Request, isbns: Sequence[str]
) -> Observed:
    """POST one book per isbn and check each response against its body."""
    statements: list[int] = []
    sizes: list[int] = []
    for isbn in isbns:
        body = create_body(isbn)
        response = client.post(request.path, json=body)
        if response.status_code not in (200, 201):
            raise ContentMismatch(f"{variant.name}: POST -> {response.status_code}")
        created = response.json()
        _keys(created, BOOK_FIELDS, "", variant)
        expected = {name: body[name] for name in BOOK_FIELDS if name != "id"}
        got = {name: created.get(name) for name in BOOK_FIELDS if name != "id"}
        if variant.name != "ceiling" and (got != expected or not isinstance(created["id"], int)):
            raise ContentMismatch(f"{variant.name}: created {created}, sent {expected}")
        statements.append(_statements(response))
        sizes.append(len(response.content))
    return Observed(tuple(statements), statistics.fmean(sizes), [])


def same_content(variant: Variant, observed: Observed, floor: Observed) -> None:
    """Raise ContentMismatch unless `observed` holds the floor's books (as declared)."""
    _compare(variant, observed.content, floor.content)


def tolerances(variants: Sequence[Variant]) -> list[str]:
    """What the check let pass, one line per variant that declares something."""
    lines = []
    for variant in variants:
        if variant.extra:
            lines.append(f"{variant.name} also returns {', '.join(sorted(variant.extra))}")
        if variant.missing:
            lines.append(f"{variant.name} returns no {', '.join(sorted(variant.missing))}")
    return lines
