"""Playwright driving Debian's Chromium against a real ``modelcatalog serve`` on a store.

Browsers cannot be downloaded here, so the tests launch ``/usr/bin/chromium`` (``python3 dev.py
test`` installs it when it runs as root). Without it they skip, except under
``MODELCATALOG_REQUIRE_BROWSER=1`` (CI), where they fail. Every page a test opens fails the test
on a console error, an uncaught script error, a failed request or an error response.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.store import Store
from tests.e2e.conftest import Server, start_server
from tests.web.conftest import reprice, retire

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("MODELCATALOG_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (python3 dev.py test installs it as root)"
        if REQUIRE_BROWSER:
            pytest.fail(f"{reason} (MODELCATALOG_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A store-backed service whose store has three versions (a repricing, a retirement)."""
    root = tmp_path_factory.mktemp("browser")
    data_dir = root / "data"
    with Store.open(data_dir, seed=BUNDLED_CATALOG) as store:
        store.commit(reprice, author="test", message="reprice")
        store.commit(retire, author="test", message="retire")
    served = start_server(root, "--data-dir", str(data_dir))
    yield served
    served.stop()


class Problems:
    """What went wrong in a page: console errors, script errors, failed requests."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"script error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.found.append(f"console error: {message.text}")

    def _failed(self, request: Request) -> None:
        self.found.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.found.append(f"error response: {response.status} {response.url}")


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    opened = browser.new_context(base_url=server.url)
    yield opened
    opened.close()


@pytest.fixture
def page(context: BrowserContext, problems: Problems) -> Iterator[Page]:
    """A page that fails its test on any console error or failed request."""
    opened = problems.watch(context.new_page())
    yield opened
    assert problems.found == [], problems.found


@pytest.fixture
def new_page(browser: Browser, server: Server, problems: Problems) -> Iterator[Callable[..., Page]]:
    """Open pages in contexts of other options (JavaScript off, dark, narrow), watched alike."""
    contexts: list[BrowserContext] = []

    def open_page(**options: object) -> Page:
        context = browser.new_context(base_url=server.url, **options)  # type: ignore[arg-type]
        contexts.append(context)
        return problems.watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()
    assert problems.found == [], problems.found
