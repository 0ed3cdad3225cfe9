"""Where the generated app serves its operational endpoints: `/health` and `/metrics`,
unless a model has them.

They answer a load balancer, an orchestrator or Prometheus, not a client of the API: they
stay out of the models' routes. A table called `health` keeps its route (`/health`,
`/health/{key}`, which would take `/health/ready` too) and the checks move (`/api-health`),
only in that case, as the documentation does (api_docs.py); `/metrics` likewise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class OperationsPlan:
    health: str = "/health"
    """Liveness at `{health}`, readiness at `{health}/ready`."""
    metrics: str = "/metrics"
    note: str | None = None
    """Why they moved: `/health is the route of model Health, so the health checks are at ...`."""


def plan_operations(paths: Mapping[str, str]) -> OperationsPlan:
    """The operational routes clear of the models' paths (`{"Health": "/health"}`)."""
    notes = []
    places = {}
    for name, default, what in (
        ("health", "/health", "the health checks"),
        ("metrics", "/metrics", "the metrics"),
    ):
        place = default
        owner = _owner(default, paths)
        if owner is not None:
            place, counter = f"/api-{name}", 2
            while _owner(place, paths) is not None:
                place, counter = f"/api-{name}-{counter}", counter + 1
            notes.append(f"{default} is the route of model {owner}, so {what} are at {place}")
        places[name] = place
    return OperationsPlan(**places, note="; ".join(notes) or None)


def _owner(place: str, paths: Mapping[str, str]) -> str | None:
    """The model whose routes (`/health`, `/health/{key}` ...) take `place` or `place/ready`."""
    for model, path in paths.items():
        if path in (place, f"{place}/ready") or place.startswith(path + "/"):
            return model
    return None
