"""In Chromium: a client written for the original, on its own origin as the seed's frontend was (CORS),
gets `EventSource.onmessage` on /api/dashboard/stream and live updates, chats with its own
conversation id and sends feedback; and /docs lists every operation with no request leaving the machine."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Request

from tests.conftest import LiveServer, free_port
from tests.contract.conftest import poll, start_seed_server

# What the original's page.tsx and ChatInterface/ProactivePanel do, reduced to the calls they make.
CLIENT = """<!doctype html><html><head><meta charset="utf-8"><title>seed client</title></head><body>
<script>
const API = "%(api)s";
window.messages = [];
window.opened = false;
const source = new EventSource(`${API}/api/dashboard/stream`);
source.onopen = () => { window.opened = true; };
source.onmessage = (event) => { window.messages.push(JSON.parse(event.data)); };

window.chat = async (message, conversationId) => {
  const response = await fetch(`${API}/api/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ message, conversationId, context: {} }),
  });
  const text = await response.text();
  const events = [];
  for (const line of text.split("\\n\\n")) {
    if (line.startsWith("data: ")) events.push(JSON.parse(line.substring(6)));
  }
  return events;
};

window.suggestions = async () => {
  const data = await (await fetch(`${API}/api/proactive/suggestions`)).json();
  return data.data.suggestions;
};

window.feedback = async (id, feedbackType) => {
  const response = await fetch(`${API}/api/proactive/feedback/${id}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ feedbackType }),
  });
  return { status: response.status, body: await response.json() };
};
</script></body></html>"""


class FrontendServer:
    """The seed's frontend origin: one page, on localhost (the API is on 127.0.0.1: another site)."""

    def __init__(self, api: str, port: int) -> None:
        page = (CLIENT % {"api": api}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.origin = f"http://localhost:{port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FrontendServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def seed_client(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[LiveServer, FrontendServer]]:
    port = free_port()
    origin = f"http://localhost:{port}"
    with start_seed_server(tmp_path, sqlite_template, server={"cors_origins": [origin]}) as api:
        with FrontendServer(api.url, port) as frontend:
            yield api, frontend


def test_an_original_client_gets_onmessage_live_updates_chat_and_feedback(
    page: Page, seed_client: tuple[LiveServer, FrontendServer]
) -> None:
    api, frontend = seed_client
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(frontend.origin + "/")
    page.wait_for_function("window.opened && window.messages.length >= 1", timeout=10_000)
    first = page.evaluate("window.messages[0]")
    assert isinstance(first["waves"], list) and {"music", "marketing"} <= set(first["business"])
    assert (
        isinstance(first["health"]["services"], dict) and "overall_completion_percent" in first["instances"]["metrics"]
    )

    # Live: a change reaches onmessage (the seed's client replaces its state with each message).
    httpx.post(api.url + "/api/instances/browser-agent/heartbeat", json={"status": "active"}, timeout=5)
    page.wait_for_function(
        "window.messages.some(m => m.instances.instances.some(i => i.id === 'browser-agent'))", timeout=10_000
    )

    events = page.evaluate("window.chat('Hello Jarvis', 'web-1759969135113-7k6q6e')")
    assert events[0]["type"] == "start" and events[0]["conversationId"] == "web-1759969135113-7k6q6e"
    assert any(e["type"] == "token" for e in events) and events[-1]["type"] == "complete"

    suggestions = poll(lambda: page.evaluate("window.suggestions()"))
    sent = page.evaluate("([id]) => window.feedback(id, 'dismissed')", [suggestions[0]["id"]])
    assert (
        sent["status"] == 200 and sent["body"]["message"] == f"Feedback recorded for suggestion {suggestions[0]['id']}"
    )
    assert all(url.startswith((frontend.origin, api.url)) for url in requested), requested


def test_docs_lists_every_operation_offline(page: Page, tmp_path: Path, sqlite_template: Path) -> None:
    with start_seed_server(tmp_path, sqlite_template) as api:
        paths = httpx.get(api.url + "/openapi.json", timeout=5).json()["paths"]
        # Swagger UI lists an operation under each of its tags.
        operations = sum(len(op.get("tags") or ["default"]) for ops in paths.values() for op in ops.values())
        outside: list[str] = []

        def watch(request: Request) -> None:
            if not request.url.startswith(api.url):
                outside.append(request.url)

        page.on("request", watch)
        page.goto(api.url + "/docs")
        page.locator(".opblock").nth(operations - 1).wait_for(timeout=15_000)
        assert page.locator(".opblock").count() == operations
        assert "Unable to render this definition" not in page.content()
        assert page.locator(".opblock-summary-path", has_text="/api/dashboard/waves").count() == 1
        page.locator(".opblock-summary", has_text="/api/dashboard/waves").first.click()
        page.wait_for_selector(".responses-table .response-col_status", timeout=5_000)
        assert page.locator(".model-example, .example").count() > 0  # the response model is shown
        assert outside == []
