"""`make screenshots`: the dashboard with a realistic fixture, at 1440×900 and 375×667, into
docs/screenshots/. Needs Chromium at /usr/bin/chromium (or JARVIS_CHROMIUM)."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from tests.web import fixture_data

from benchmarks.common import ROOT, jarvis_server

CHROMIUM = os.environ.get("JARVIS_CHROMIUM", "/usr/bin/chromium")
OUT = ROOT / "docs" / "screenshots"
SIZES = {"dashboard-1440.png": (1440, 900), "dashboard-375.png": (375, 667)}


@contextmanager
def loaded_server(*, instances: int, services: int, waves: int, checks: int = 3) -> Iterator[str]:
    """The real server (`jarvis serve`) with the fixture loaded over HTTP; yields its URL."""
    with socket.socket() as target, jarvis_server() as server:
        target.bind(("127.0.0.1", 0))
        target.listen(128)  # a port the tcp checks find open: those services are healthy

        async def load() -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                await fixture_data.load(
                    client,
                    instances=instances,
                    services=services,
                    waves=waves,
                    checks=checks,
                    healthy_port=target.getsockname()[1],
                )

        asyncio.run(load())
        yield server.url


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with loaded_server(instances=6, services=6, waves=4) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            for name, (width, height) in SIZES.items():
                context = browser.new_context(viewport={"width": width, "height": height}, reduced_motion="reduce")
                page = context.new_page()
                page.goto(url + "/", wait_until="load")
                page.locator("#conn[data-state='live']").wait_for()
                page.wait_for_timeout(500)  # let the first stream events settle before the picture
                page.screenshot(path=str(Path(OUT / name)))
                context.close()
                print(f"wrote docs/screenshots/{name}")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
