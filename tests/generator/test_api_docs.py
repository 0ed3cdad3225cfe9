"""The API documentation stays at FastAPI's paths unless a model's routes take them."""

from __future__ import annotations

import pytest

from fe_gen.generator.api_docs import DocsPlan, plan_docs


@pytest.mark.parametrize(
    "paths",
    [
        pytest.param({}, id="no-models"),
        pytest.param({"Book": "/books"}, id="plain"),
        pytest.param(
            {"Health": "/health", "Metrics": "/metrics", "OpenAPI": "/openapi"},
            id="health-metrics-openapi",
        ),
        pytest.param({"Item": "/docs/items"}, id="under-docs-but-not-its-routes"),
        pytest.param({"Doc": "/doc", "ApiDoc": "/api-docs"}, id="near-misses"),
    ],
)
def test_docs_stay_put(paths: dict[str, str]) -> None:
    assert plan_docs(paths) is None


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        pytest.param(
            {"Book": "/books", "Doc": "/docs"},
            DocsPlan(
                "/api-docs",
                "/redoc",
                "/openapi.json",
                "/docs is the route of model Doc, so Swagger UI is at /api-docs",
            ),
            id="docs",
        ),
        pytest.param(
            {"Redoc": "/redoc"},
            DocsPlan(
                "/docs",
                "/api-redoc",
                "/openapi.json",
                "/redoc is the route of model Redoc, so ReDoc is at /api-redoc",
            ),
            id="redoc-alone",
        ),
        pytest.param(
            {"Redirect": "/docs/oauth2-redirect"},
            DocsPlan(
                "/api-docs",
                "/redoc",
                "/openapi.json",
                "/docs is the route of model Redirect, so Swagger UI is at /api-docs",
            ),
            id="oauth2-redirect-moves-docs-with-it",
        ),
        pytest.param(
            {"Asset": "/docs/assets"},
            DocsPlan(
                "/api-docs",
                "/redoc",
                "/openapi.json",
                "/docs is the route of model Asset, so Swagger UI is at /api-docs",
            ),
            id="assets-move-docs-with-them",
        ),
        pytest.param(
            {"Doc": "/docs", "ApiDoc": "/api-docs"},
            DocsPlan(
                "/api-docs-2",
                "/redoc",
                "/openapi.json",
                "/docs is the route of model Doc, so Swagger UI is at /api-docs-2",
            ),
            id="next-free-place",
        ),
        pytest.param(
            {"Schema": "/openapi.json", "Moved": "/api-openapi.json"},
            DocsPlan(
                "/docs",
                "/redoc",
                "/api-openapi-2.json",
                "/openapi.json is the route of model Schema, so the OpenAPI schema is at "
                "/api-openapi-2.json",
            ),
            id="openapi-json",
        ),
    ],
)
def test_docs_move_off_a_models_routes(paths: dict[str, str], expected: DocsPlan) -> None:
    assert plan_docs(paths) == expected
