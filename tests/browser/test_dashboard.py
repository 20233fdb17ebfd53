"""The dashboard in a real browser against a live server (jobs running), data loaded over HTTP."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import LiveServer
from tests.web import fixture_data

TITLES = ["Business Performance", "Claude Instances", "System Health", "Financial Summary", "Wave Progress"]


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


def load(server: LiveServer, **options: Any) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            await fixture_data.load(client, **options)

    # Playwright's sync API keeps an event loop on this thread: load from another one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def post(server: LiveServer, path: str, body: dict[str, Any]) -> None:
    response = httpx.post(server.url + path, json=body, timeout=10)
    assert response.status_code < 300, response.text


@pytest.fixture
def loaded(live_server: LiveServer, listening_port: int, monkeypatch: pytest.MonkeyPatch) -> LiveServer:
    fixture_data.override_sections(monkeypatch)
    load(live_server, instances=4, services=3, waves=3, healthy_port=listening_port, checks=2)
    return live_server


def csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_every_section_is_visible_with_fixture_data(page: Page, loaded: LiveServer) -> None:
    errors = csp_errors(page)
    page.goto(loaded.url + "/")
    expect(page).to_have_title(re.compile("Jarvis"))
    for title in TITLES:
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    expect(page.get_by_role("link", name="agent-01")).to_be_visible()
    expect(page.get_by_text("Wave 1: Foundation")).to_be_visible()
    expect(page.locator("#health .heartbeat").first).to_be_visible()
    expect(page.locator("#financial").get_by_text("$42,500", exact=True)).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    assert errors == []


def test_a_change_through_the_api_appears_within_2s_without_reload(page: Page, loaded: LiveServer) -> None:
    page.goto(loaded.url + "/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    page.evaluate("window.__sameDocument = true")
    link = page.get_by_role("link", name="agent-02")
    link.focus()
    page.evaluate("window.scrollTo(0, 300)")
    scroll = page.evaluate("window.scrollY")
    assert scroll > 0

    post(loaded, "/api/instances/agent-02/heartbeat", {"status": "blocked", "current_task": "Rotate the API keys"})
    # expect() polls without eval (the page's CSP forbids it, so wait_for_function cannot run)
    expect(page.locator("#instances").get_by_text("Rotate the API keys")).to_be_visible(timeout=2000)
    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert page.evaluate("document.activeElement.dataset.focusKey") == "instance-agent-02"  # focus kept
    assert page.evaluate("window.scrollY") == scroll  # scroll kept
    expect(page.locator("#live-region")).to_contain_text("Claude Instances")  # announced


def test_falls_back_to_polling_when_the_stream_is_blocked(page: Page, loaded: LiveServer) -> None:
    page.route("**/api/stream*", lambda route: route.abort())
    page.goto(loaded.url + "/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "polling")
    expect(page.locator("#conn")).to_contain_text("Polling")
    page.evaluate("window.__sameDocument = true")
    post(loaded, "/api/instances/agent-09/heartbeat", {"status": "active", "current_task": "Polled into view"})
    expect(page.locator("#instances").get_by_text("Polled into view")).to_be_visible(timeout=8000)
    assert page.evaluate("window.__sameDocument") is True
    page.route("**/api/dashboard/overview", lambda route: route.abort())
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline", timeout=8000)


@pytest.mark.parametrize("width,height", [(375, 667), (320, 568)])
def test_mobile_viewport_has_no_horizontal_scroll(
    browser: Browser, loaded: LiveServer, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        for path in ("/", "/instances/agent-01", "/services/svc-01"):
            page.goto(loaded.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        page.goto(loaded.url + "/")
        small = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                 '.site-nav a, .tile-head a, .service-head a, .breadcrumbs a, .tabs a, button'))
               .filter(el => el.offsetParent !== null)
               .map(el => [el.textContent.trim(), el.getBoundingClientRect().height])
               .filter(([, h]) => h < 44)"""
        )
        assert small == []
    finally:
        context.close()


def test_keyboard_alone_reaches_every_control_with_a_visible_focus_ring(page: Page, loaded: LiveServer) -> None:
    page.goto(loaded.url + "/")
    controls = page.evaluate(
        """() => Array.from(document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'))
           .filter(el => el.tabIndex >= 0 && el.offsetParent !== null)
           .map(el => el.getAttribute('href') || el.id || el.textContent.trim())"""
    )
    reached: list[str] = []
    for _ in range(len(controls) + 5):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const el = document.activeElement; if (el === document.body) return ["", "", ""];
                 const s = getComputedStyle(el);
                 const name = el.getAttribute('href') || el.id || el.textContent.trim();
                 return [name, s.outlineStyle, s.outlineWidth]; }"""
        )
        reached.append(info[0])
        if info[0] != "":
            assert info[1] != "none" and info[2] != "0px", f"no focus ring on {info[0]}"
    assert set(controls) <= set(reached), set(controls) - set(reached)
    page.keyboard.press("Shift+Tab")  # and back again
    page.goto(loaded.url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_agent_supplied_script_shows_as_text(page: Page, live_server: LiveServer) -> None:
    load(live_server, instances=1, services=0, waves=0, metrics=False, xss_task=True)
    page.goto(live_server.url + "/")
    expect(page.locator("#instances .task").first).to_have_text(fixture_data.XSS)
    assert page.evaluate("window.__xss") is None
    page.goto(live_server.url + "/instances/agent-01")
    expect(page.get_by_text(fixture_data.XSS).first).to_be_visible()
    assert page.evaluate("window.__xss") is None


def test_empty_install_shows_the_onboarding_panel(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name=re.compile("connect your first sources"))).to_be_visible()
    expect(page.get_by_text("jarvis hook").first).to_be_visible()
    assert page.locator("h1").count() == 1


COUNT_EVENT_SOURCES = """
window.__eventSources = [];
const Original = window.EventSource;
window.EventSource = class extends Original {
  constructor(url, options) { super(url, options); window.__eventSources.push(String(url)); }
};
"""


@pytest.mark.parametrize("path", ["/", "/chat"])
def test_a_page_opens_one_event_source_shared_by_the_dashboard_and_the_bell(
    page: Page, live_server: LiveServer, path: str
) -> None:
    """Two per tab hit the browser's 6-connection limit: stream.js opens one, the bell listens on it."""
    page.add_init_script(COUNT_EVENT_SOURCES)
    page.goto(live_server.url + path)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    assert page.evaluate("window.__eventSources") == ["/api/stream?types=suggestion.*"]
    # The section names come from the server's one list, not a list in the script.
    assert page.evaluate("document.body.dataset.sections") == "instances business health financial waves"
