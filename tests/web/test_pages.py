"""Server-side rendering of the dashboard pages: data in the first response, escaping, CSP,
empty-state onboarding, fragments, detail pages and their 404s."""

from __future__ import annotations

import html
import json
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.dashboard import sections
from jarvis.instances.hook import RECORDED_EVENTS
from tests.web import fixture_data

TITLES = ["Business Performance", "Claude Instances", "System Health", "Financial Summary", "Wave Progress"]
HTML = {"accept": "text/html"}


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A loopback port that accepts TCP connections (the tcp checks of the fixture pass)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


@pytest.fixture
def financial_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    fixture_data.override_sections(monkeypatch)


async def test_dashboard_first_response_contains_every_section_with_data(
    client: httpx.AsyncClient, listening_port: int, financial_fixture: None
) -> None:
    await fixture_data.load(client, instances=3, services=2, waves=2, healthy_port=listening_port)
    response = await client.get("/")
    assert response.status_code == 200
    page = response.text
    assert re.search(r"<title>[^<]*Jarvis", page)
    for title in TITLES:
        assert f">{title}</h2>" in page
    assert page.count("<h1") == 1
    assert "agent-01" in page and "feat/task-100" in page  # instance card with its branch
    assert "Wave 1: Foundation" in page and "<progress" in page
    assert 'class="heartbeat"' in page and "#00ff88" in page  # heartbeat strip with a healthy check
    assert 'class="spark"' in page  # business sparkline from 7 days of history
    assert "$42,500" in page  # MRR
    assert "Needs Sales marketing spend" in page  # a null figure names its inputs
    assert "Waiting for database credentials" in page  # open blocker
    assert "Welcome — connect" not in page


async def test_empty_install_shows_onboarding_not_empty_boxes(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert "Welcome — connect your first sources" in page
    assert "jarvis hook" in page and "[[services]]" in page and "/api/metrics" in page
    for title in TITLES:  # the sections are still there, each with its own empty state
        assert f">{title}</h2>" in page
    assert "No agents have reported yet" in page


async def test_onboarding_shows_the_hook_install_command_for_this_server(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    jarvis = str(Path(sys.executable).parent / "jarvis")
    assert f"<code>{jarvis} hook install --server http://127.0.0.1</code>" in page
    [block] = re.findall(r"<details>.*?<pre><code>(.*?)</code></pre>", page, re.DOTALL)
    hooks = json.loads(html.unescape(block))["hooks"]
    assert list(hooks) == list(RECORDED_EVENTS)
    assert hooks["PermissionRequest"][0]["matcher"] == "*"
    assert hooks["Stop"][0]["hooks"][0]["command"] == f"{jarvis} hook --server http://127.0.0.1"
    assert "http://127.0.0.1/api/hooks/claude-code" in page and "SessionStart" in page


async def test_agent_supplied_text_is_escaped_everywhere(client: httpx.AsyncClient) -> None:
    await fixture_data.load(client, instances=1, services=0, waves=0, metrics=False, xss_task=True)
    await client.post(
        "/api/instances/agent-01/events", json={"kind": "prompt", "message": "<script>alert('prompt')</script>"}
    )
    for path in ("/", "/fragments/instances", "/instances/agent-01"):
        text = (await client.get(path)).text
        assert "<script>window.__xss" not in text, path
        assert "<img src=x" not in text, path
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in text, path
    detail = (await client.get("/instances/agent-01")).text
    assert "<script>alert(" not in detail and "&lt;script&gt;alert(" in detail


async def test_csp_forbids_inline_script_and_pages_need_none(client: httpx.AsyncClient) -> None:
    await fixture_data.load(client, instances=2, services=0, waves=1, metrics=False)
    for path in ("/", "/instances/agent-01", "/fragments/health"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        text = response.text
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"inline script in {path}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline handler in {path}"
        assert " style=" not in text, f"style attribute in {path}"


async def test_fragment_is_the_sections_inner_html(client: httpx.AsyncClient) -> None:
    await fixture_data.load(client, instances=2, services=0, waves=0, metrics=False)
    response = await client.get("/fragments/instances")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "<html" not in response.text and "agent-02" in response.text
    assert "Completed" in response.text and "Blockers" in response.text


async def test_unknown_fragment_is_404_json_or_html(client: httpx.AsyncClient) -> None:
    response = await client.get("/fragments/nothing")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    page = await client.get("/fragments/nothing", headers=HTML)
    assert page.status_code == 404 and "<h1" in page.text and "Back to the dashboard" in page.text


async def test_instance_page_shows_timeline_tasks_and_blockers(client: httpx.AsyncClient) -> None:
    await fixture_data.load(client, instances=2, services=0, waves=1, metrics=False)
    await client.post("/api/instances/agent-01/events", json={"kind": "tool", "message": "Edit src/app.py"})
    response = await client.get("/instances/agent-01")
    assert response.status_code == 200
    page = response.text
    assert page.count("<h1") == 1 and ">agent-01</h1>" in page
    assert "Edit src/app.py" in page  # timeline
    assert "Wave 1 task 1" in page  # a task assigned to it
    assert "Waiting for database credentials" in page  # its blocker


async def test_unknown_instance_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/instances/ghost", headers=HTML)
    assert response.status_code == 404
    assert "ghost" in response.text and "text/html" in response.headers["content-type"]


async def test_service_page_history_and_failures(client: httpx.AsyncClient, listening_port: int) -> None:
    await fixture_data.load(client, instances=0, services=4, waves=0, metrics=False, healthy_port=listening_port)
    healthy = (await client.get("/services/svc-01")).text
    assert 'class="latency-chart"' in healthy and "Recent failures" in healthy
    assert "No failures in this period." in healthy
    down = (await client.get("/services/svc-04?period=7d")).text  # every 4th service is on a closed port
    assert 'aria-current="page">7d<' in down
    assert "Offline" in down and "No failures in this period." not in down


async def test_service_page_rejects_bad_period_and_unknown_name(client: httpx.AsyncClient) -> None:
    bad = await client.get("/services/jarvis-dashboard?period=1y")
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "period"
    missing = await client.get("/services/nope", headers=HTML)
    assert missing.status_code == 404 and "nope" in missing.text


async def test_failed_collector_shows_its_error_and_data_age(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = clock.iso(clock.now())

    async def failing(ctx: AppContext) -> dict[str, Any]:
        service = {"name": "api", "kind": "http", "status": "healthy", "latency_ms": 12.0, "last_checked": checked}
        return {
            "overall": "healthy",
            "services": [service],
            "collector_error": "database is locked",
            "timestamp": checked,
        }

    monkeypatch.setitem(sections.BUILDERS, "health", failing)
    page = (await client.get("/fragments/health")).text
    assert "collection failed" in page and "database is locked" in page
    assert "Showing data from" in page and f'datetime="{checked}"' in page


async def test_stub_sections_render_their_empty_state(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stub(ctx: AppContext) -> dict[str, Any]:
        return {"timestamp": clock.iso(clock.now())}

    for name in ("instances", "health", "business", "financial", "waves"):
        monkeypatch.setitem(sections.BUILDERS, name, stub)
    response = await client.get("/")
    assert response.status_code == 200 and "Welcome — connect" in response.text


async def test_static_files_are_served_same_origin(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/css/base.css")
    assert css.status_code == 200 and "--primary: #0066ff" in css.text
    js = await client.get("/static/js/stream.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    page = (await client.get("/")).text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert (await client.get(asset)).status_code == 200, asset


async def test_instance_fragment_follows_the_instance(client: httpx.AsyncClient) -> None:
    await fixture_data.load(client, instances=1, services=0, waves=0, metrics=False, financial=False)
    await client.post("/api/instances/agent-01/heartbeat", json={"status": "active", "current_task": "Ship it"})
    response = await client.get("/fragments/instances/agent-01")
    assert response.status_code == 200 and "<html" not in response.text and "Ship it" in response.text
    assert (await client.get("/fragments/instances/ghost")).status_code == 404
