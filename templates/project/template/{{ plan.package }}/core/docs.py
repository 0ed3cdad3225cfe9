"""Swagger UI and ReDoc served by the app itself, as FastAPI documents for self-hosting.

FastAPI's own pages load their scripts from a CDN: on a network without the internet (many
production networks) they stay blank. The assets come from the package fastapi-offline:
MIT, released steadily since 2021, it needs nothing but FastAPI and ships Swagger UI 5 and
ReDoc 2 in its `static` folder. Its `FastAPIOffline` factory isn't used (it carries no type
information and picks its own paths): these pages are FastAPI's, pointed at those files.
"""

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

ASSETS = ("fastapi_offline", "static")
"""The package and its folder holding swagger-ui-bundle.js, swagger-ui.css and
redoc.standalone.js."""
IMAGES_FROM_HERE = {"Content-Security-Policy": "img-src 'self' data:"}
"""ReDoc's footer shows Redocly's logo from their CDN (hidden when it fails to load), and
Swagger UI a validator badge from swagger.io for a schema on a public host: the browser is
told not to ask."""


def serve_docs(app: FastAPI, *, docs_url: str, redoc_url: str) -> None:
    """Swagger UI at `docs_url`, ReDoc at `redoc_url`, their files under `docs_url/assets`;
    for an app made with `docs_url=None, redoc_url=None`."""
    if app.openapi_url is None:
        raise ValueError("the API documentation needs the OpenAPI schema: openapi_url is None")
    openapi_url = app.openapi_url
    assets = f"{docs_url}/assets"
    oauth2_redirect_url = f"{docs_url}/oauth2-redirect"
    app.mount(assets, StaticFiles(packages=[ASSETS]), name="docs-assets")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root_path(request)
        page = get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{root}{assets}/favicon.png",
            oauth2_redirect_url=root + oauth2_redirect_url,
            init_oauth=app.swagger_ui_init_oauth,
            # No validator badge: it sends the schema's URL to swagger.io.
            swagger_ui_parameters={"validatorUrl": None, **(app.swagger_ui_parameters or {})},
        )
        page.headers.update(IMAGES_FROM_HERE)
        return page

    async def swagger_ui_redirect(_request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = _root_path(request)
        page = get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{assets}/favicon.png",
            # Google's fonts are a CDN too: ReDoc falls back to the browser's own.
            with_google_fonts=False,
        )
        page.headers.update(IMAGES_FROM_HERE)
        return page

    app.add_route(docs_url, swagger_ui, include_in_schema=False)
    app.add_route(oauth2_redirect_url, swagger_ui_redirect, include_in_schema=False)
    app.add_route(redoc_url, redoc, include_in_schema=False)


def _root_path(request: Request) -> str:
    """The prefix a proxy serves the app under (`--root-path`), as FastAPI's pages use it."""
    return str(request.scope.get("root_path", "")).rstrip("/")

