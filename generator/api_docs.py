"""Where the generated app serves its API documentation: FastAPI's paths, unless a model has them.

The app serves Swagger UI at `/docs` (its OAuth2 redirect at `/docs/oauth2-redirect`, its
files under `/docs/assets`), ReDoc at `/redoc` and the schema at `/openapi.json`, registered
before any model's routes:
a table called `docs` would lose `GET /docs` to Swagger UI. The model keeps its natural
route and the documentation moves (`/api-docs`), only in that case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class DocsPlan:
    """The documentation routes that moved, and how the app, README and summary say so."""

    url: str
    """Where Swagger UI is: `/api-docs`, or still `/docs` when only ReDoc moved."""
    redoc_url: str
    openapi_url: str
    note: str
    """Why: `/docs is the route of model Doc, so Swagger UI is at /api-docs`."""


@dataclass(frozen=True)
class _Route:
    argument: str
    default: str
    moved: str
    """The first place it moves to; `-2`, `-3` ... follow when a model has that one too."""
    what: str


_DOCS = _Route("docs_url", "/docs", "/api-docs", "Swagger UI")
_BESIDE_DOCS = ("/oauth2-redirect", "/assets")
_ROUTES = (
    _DOCS,
    _Route("redoc_url", "/redoc", "/api-redoc", "ReDoc"),
    _Route("openapi_url", "/openapi.json", "/api-openapi.json", "the OpenAPI schema"),
)


def plan_docs(paths: Mapping[str, str]) -> DocsPlan | None:
    """The documentation routes clear of the models' paths (`{"Doc": "/docs"}`); None if
    FastAPI's defaults are."""
    places = {route.argument: route.default for route in _ROUTES}
    notes: list[str] = []
    for route in _ROUTES:
        owner = _owner(_served(route, route.default), paths)
        if owner is None:
            continue
        places[route.argument] = place = _free(route, paths)
        moved = f"{route.what} is at {place}"
        notes.append(f"{route.default} is the route of model {owner}, so {moved}")
    if not notes:
        return None
    return DocsPlan(
        url=places[_DOCS.argument],
        redoc_url=places["redoc_url"],
        openapi_url=places["openapi_url"],
        note="; ".join(notes),
    )


def _served(route: _Route, place: str) -> tuple[str, ...]:
    """The paths a documentation route takes at `place`."""
    return (place, *(place + beside for beside in _BESIDE_DOCS)) if route is _DOCS else (place,)


def _owner(served: tuple[str, ...], paths: Mapping[str, str]) -> str | None:
    """The model whose routes (`/docs`, `/docs/bulk`, `/docs/{key}` ...) take one of `served`."""
    for model, path in paths.items():
        if any(place == path or place.startswith(path + "/") for place in served):
            return model
    return None


def _free(route: _Route, paths: Mapping[str, str]) -> str:
    stem, dot, suffix = route.moved.partition(".")
    place, counter = route.moved, 2
    while _owner(_served(route, place), paths) is not None:
        place, counter = f"{stem}-{counter}{dot}{suffix}", counter + 1
    return place
