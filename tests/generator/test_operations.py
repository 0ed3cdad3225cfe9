"""Where the health checks go: `/health`, unless a model's routes take it (operations.py)."""

from __future__ import annotations

import pytest

from fe_gen.generator.operations import OperationsPlan, plan_operations


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        pytest.param({"Book": "/books"}, OperationsPlan(health="/health"), id="free"),
        pytest.param({"Healthy": "/healthy"}, OperationsPlan(health="/health"), id="prefix-only"),
        pytest.param(
            {"Health": "/health"},
            OperationsPlan(
                health="/api-health",
                note="/health is the route of model Health, so the health checks are at "
                "/api-health",
            ),
            id="model-called-health",
        ),
        pytest.param(
            {"Metric": "/metrics"},
            OperationsPlan(
                metrics="/api-metrics",
                note="/metrics is the route of model Metric, so the metrics are at /api-metrics",
            ),
            id="model-called-metrics",
        ),
        pytest.param(
            {"Health": "/health", "ApiHealth": "/api-health"},
            OperationsPlan(
                health="/api-health-2",
                note="/health is the route of model Health, so the health checks are at "
                "/api-health-2",
            ),
            id="both-taken",
        ),
    ],
)
def test_health_checks_stay_off_the_models_routes(
    paths: dict[str, str], expected: OperationsPlan
) -> None:
    assert plan_operations(paths) == expected
