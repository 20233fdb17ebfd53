"""The bell in a real browser: a service goes down, the count rises and a toast shows within 2 s,
and 👎 on the suggestion is stored. Live server with jobs running; the service is a TCP port the
test opens and then closes."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from jarvis.app import create_app
from jarvis.proactive.rules import RULES
from tests.conftest import LiveServer, make_settings


@pytest.fixture
def port_socket() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield sock
    sock.close()


@pytest.fixture
def server(tmp_path: Path, sqlite_template: Path, port_socket: socket.socket) -> Iterator[LiveServer]:
    target = tmp_path / "data" / "jarvis.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, target)
    settings = make_settings(
        tmp_path,
        database_url=f"sqlite+aiosqlite:///{target}",
        services=[
            {
                "name": "api",
                "kind": "tcp",
                "host": "127.0.0.1",
                "port": port_socket.getsockname()[1],
                "interval_s": 1,
                "timeout_s": 0.5,
                "retries": 0,
            }
        ],
        # Only the rule under test, so that the count is about it alone.
        proactive={"rules": {**{name: {"enabled": False} for name in RULES}, "service_down": {"minutes": 0}}},
    )
    with LiveServer(create_app(settings, migrate=False)) as live:
        yield live


def service_status(server: LiveServer) -> str | None:
    services = httpx.get(server.url + "/api/dashboard/health", timeout=5).json()["data"]["services"]
    return services.get("api", {}).get("status")  # the seed's shape: services keyed by name


def wait_for(predicate: object, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_service_down_rings_the_bell_and_thumbs_down_is_stored(
    page: Page, server: LiveServer, port_socket: socket.socket
) -> None:
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    wait_for(lambda: service_status(server) == "healthy", 10)
    page.goto(server.url + "/")
    bell = page.locator("#bell-button")
    expect(bell).to_have_attribute("aria-label", "Suggestions: none active")
    expect(page.locator("#bell-count")).to_be_hidden()

    port_socket.close()  # the service goes down
    wait_for(lambda: service_status(server) == "offline", 10)
    # From the moment the dashboard shows it offline: the bell and the toast within 2 s.
    expect(page.locator("#bell-count")).to_have_text("1", timeout=2000)
    toast = page.locator(".bell-toast")
    expect(toast).to_be_visible(timeout=2000)
    expect(toast).to_contain_text("api is offline")
    expect(toast).to_have_attribute("role", "alert")
    expect(bell).to_have_attribute("aria-label", "Suggestions: 1 active")

    bell.click()
    expect(bell).to_have_attribute("aria-expanded", "true")
    item = page.locator(".bell-item")
    expect(item).to_contain_text("api is offline")
    expect(item).to_have_attribute("data-priority", "critical")
    page.get_by_role("button", name="Not useful: api is offline").click()
    expect(page.locator("#bell-count")).to_be_hidden(timeout=2000)
    expect(page.locator("#bell-live")).to_have_text("Feedback recorded.")
    page.keyboard.press("Escape")
    expect(bell).to_be_focused()

    stored = httpx.get(server.url + "/api/proactive/suggestions?status=all", timeout=5).json()["data"]["suggestions"]
    down = next(s for s in stored if s["rule"] == "service_down")
    assert down["feedback"] == "negative" and down["status"] == "dismissed"
    rules = httpx.get(server.url + "/api/proactive/rules", timeout=5).json()["data"]["rules"]
    history = next(r for r in rules if r["rule"] == "service_down")["history"]
    assert history[0]["value"] == "negative"
    assert csp == []
