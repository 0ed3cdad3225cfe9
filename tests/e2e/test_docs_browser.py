"""End to end: Swagger UI and ReDoc of a generated project, rendered in headless Chromium.

The generated suite checks that the pages name files the app serves; only a browser shows
that those files are the right ones: every model's operations appear, with no request
leaving the machine. Chromium is Debian's (`apt-get install chromium`, as .ci/run does),
driven by Playwright, which never downloads a browser of its own here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import unavailable
from tests.e2e.cases import environment, render

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
# As this machine's notes start it: without the background-networking flags Chromium keeps
# trying hosts it can't reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
METHODS = {"get", "put", "post", "delete", "patch"}
# Where each case's Swagger UI and ReDoc are: awkward has models at /docs and /redoc.
DOCS = {"bookstore": ("/docs", "/redoc"), "awkward": ("/api-docs", "/api-redoc")}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        unavailable("no Chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("no Playwright (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=sorted(DOCS))
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    """A generated project served by uvicorn on SQLite: its URL, and where its Swagger UI and
    ReDoc are."""
    case = request.param
    project = tmp_path_factory.mktemp("docs") / case
    render(case, project)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", "0"],
        cwd=project,
        env=environment(case, CREATE_TABLES="true"),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield (_listening(server), *DOCS[case])
    finally:
        server.terminate()
        server.communicate(timeout=30)


def _listening(server: subprocess.Popen[str]) -> str:
    assert server.stderr is not None
    for line in server.stderr:
        found = re.search(r"Uvicorn running on (http://\S+)", line)
        if found:
            return found.group(1)
    raise AssertionError("uvicorn did not start")


def _operations(url: str) -> dict[str, str]:
    """The API's operations: {operationId: "GET /books"}."""
    with httpx.Client(base_url=url, timeout=10) as client:
        schema = client.get("/openapi.json").raise_for_status().json()
    return {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def _visit(browser: Browser, url: str, ready: str) -> tuple[Page, set[str]]:
    """The page at `url` once `ready` matches, and the hosts it sent requests to. ReDoc's footer
    asks cdn.redoc.ly for a logo: the page's policy has the browser block it, unsent."""
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    blocked: list[str] = []
    failed: list[str] = []
    # Chromium reports a request its page's Content-Security-Policy stopped as failed, "csp".
    page.on(
        "requestfailed",
        lambda request: (
            blocked.append(request.url)
            if request.failure == "csp"
            else failed.append(f"{request.url}: {request.failure}")
        ),
    )
    page.goto(url)
    page.wait_for_selector(ready, timeout=30_000)
    assert not failed, failed
    # blob: and data: URLs (ReDoc's search worker) are made in the page: no host.
    sent = [urlsplit(each) for each in requests if each not in blocked]
    return page, {each.netloc for each in sent if each.scheme not in ("blob", "data")}


def test_swagger_ui_renders_every_operation(
    chromium: Browser, served: tuple[str, str, str]
) -> None:
    url, docs, _ = served
    operations = _operations(url)
    page, hosts = _visit(chromium, url + docs, ".opblock-summary-path")
    rendered = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(block => [
            block.querySelector('.opblock-summary-method').textContent,
            block.querySelector('.opblock-summary-path').dataset.path,
        ].join(' '))""",
    )
    assert set(rendered) == set(operations.values())
    assert hosts == {urlsplit(url).netloc}


def test_redoc_renders_every_operation(chromium: Browser, served: tuple[str, str, str]) -> None:
    url, _, redoc = served
    operations = _operations(url)
    page, hosts = _visit(chromium, url + redoc, "[data-section-id^='operation/']")
    rendered = page.eval_on_selector_all(
        "[data-section-id^='operation/']",
        "sections => sections.map(section => section.dataset.sectionId)",
    )
    assert set(rendered) == {f"operation/{operation_id}" for operation_id in operations}
    assert hosts == {urlsplit(url).netloc}
