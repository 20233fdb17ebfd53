"""Playwright in Debian's Chromium against a live server (a plugin of the root conftest, so the browser
fixtures exist once for tests/browser/ and tests/contract/ alike). Without /usr/bin/chromium these tests
skip with one line (CI installs it and sets JARVIS_TEST_REQUIRE_BROWSER=1, so there they must run)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("JARVIS_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("JARVIS_TEST_REQUIRE_BROWSER") == "1"
ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _in_browser(item: pytest.Item) -> bool:
    return "tests/browser/" in str(item.fspath).replace(os.sep, "/") or "page" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests (here, and any test elsewhere that takes a `page`) and run them last:
    sync Playwright leaves an event loop set on the main thread, which later asyncio tests would trip over."""
    in_browser = [item for item in items if _in_browser(item)]
    for item in in_browser:
        item.add_marker(pytest.mark.browser)
    others = [item for item in items if item not in in_browser]
    items[:] = others + in_browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if REQUIRED:
            pytest.fail(f"browser tests need Chromium at {CHROMIUM}")
        pytest.skip("browser tests: install Chromium (apt-get install -y chromium) to run them")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session", autouse=True)
def _migrated_template_before_browser(sqlite_template: Path) -> Path:
    """Migrations run through asyncio.run, which fails once Playwright's sync API holds an event
    loop on this thread: make the session's migrated template before the browser starts."""
    return sqlite_template
