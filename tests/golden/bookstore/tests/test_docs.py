"""Swagger UI and ReDoc load every file from the app itself: they work without the internet."""

import re

from httpx import AsyncClient

DOCS = "/docs"
REDOC = "/redoc"
OPENAPI = "/openapi.json"
JAVASCRIPT = ("text/javascript", "application/javascript")
# The URLs a page loads: <script src>, <link href>, ReDoc's spec-url and Swagger UI's url: '...'.
_LOADED = re.compile(r"""(?:src|href|spec-url)="([^"]+)"|\burl: ?'([^']+)'""")


def _loaded(page: str) -> set[str]:
    return {src or url for src, url in _LOADED.findall(page)}


async def _kinds(client: AsyncClient, urls: set[str]) -> dict[str, str]:
    """Each URL's media type, after checking that the app serves it."""
    kinds = {}
    for url in sorted(urls):
        assert url.startswith("/"), f"{url} is not served by the app"
        response = await client.get(url)
        assert response.status_code == 200, url
        kinds[url] = response.headers["content-type"].partition(";")[0]
    return kinds


async def test_swagger_ui_loads_its_files_from_the_app(client: AsyncClient) -> None:
    page = await client.get(DOCS)
    assert page.status_code == 200
    kinds = await _kinds(client, _loaded(page.text))
    assert kinds[f"{DOCS}/assets/swagger-ui-bundle.js"] in JAVASCRIPT
    assert kinds[f"{DOCS}/assets/swagger-ui.css"] == "text/css"
    assert kinds[f"{DOCS}/assets/favicon.png"] == "image/png"
    assert kinds[OPENAPI] == "application/json"
    assert (await client.get(f"{DOCS}/oauth2-redirect")).status_code == 200
    # No validator badge from swagger.io; images from the app alone.
    assert '"validatorUrl": null' in page.text
    assert page.headers["content-security-policy"] == "img-src 'self' data:"


async def test_redoc_loads_its_files_from_the_app(client: AsyncClient) -> None:
    page = await client.get(REDOC)
    assert page.status_code == 200
    assert "fonts.googleapis.com" not in page.text
    # ReDoc's footer would show Redocly's logo from their CDN: the browser is told not to ask.
    assert page.headers["content-security-policy"] == "img-src 'self' data:"
    kinds = await _kinds(client, _loaded(page.text))
    assert kinds[f"{DOCS}/assets/redoc.standalone.js"] in JAVASCRIPT
    assert kinds[f"{DOCS}/assets/favicon.png"] == "image/png"
    assert kinds[OPENAPI] == "application/json"
