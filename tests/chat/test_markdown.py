"""Markdown is rendered and sanitised on the server: scripts, event handlers and javascript: links
come out inert, in users' messages and in models' answers alike."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from jarvis.chat.markdown import render
from jarvis.settings import Settings
from tests.chat.conftest import app_client, chat_settings, post_chat
from tests.chat.fakes import FakeModelServer, Reply, openai_text

PAYLOADS = [
    "<script>alert('x')</script>",
    "hello\n\n<script>\nalert('x')\n</script>\n\nbye",
    "<img src=x onerror=alert('x')>",
    "[x](javascript:alert('x'))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<svg onload=alert(1)></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
]


class _Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML (escaped text is not one)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_inert(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in {"script", "img", "iframe", "svg", "style", "object", "embed"}, html
        for name, value in attrs:
            assert not name.startswith("on") and name not in {"style", "src"}, html
            assert not (value or "").strip().lower().startswith("javascript"), html
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_come_out_inert(payload: str) -> None:
    assert_inert(render(payload))


def test_markdown_and_highlighted_code_survive() -> None:
    html = render("**bold** and [docs](https://example.com/x)\n\n```python\nprint('<b>')\n```")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com/x" rel="noopener noreferrer nofollow">docs</a>' in html
    assert '<pre><code class="language-python"><span class="nb">print</span>' in html
    assert "&lt;b&gt;" in html


async def test_a_users_message_is_stored_raw_and_shown_sanitised(client: object) -> None:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    raw = "look\n\n<script>\nalert(1)\n</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))"
    events = await post_chat(client, raw)
    detail = (await client.get(f"/api/chat/{events[0]['conversationId']}")).json()["data"]
    user = detail["messages"][0]
    assert user["content"] == raw
    assert_inert(user["html"])
    assert "look" in user["html"]


async def test_a_models_answer_is_sanitised(settings: Settings) -> None:
    evil = [
        "Here:\n\n",
        "<script>\nsteal()\n</script>\n\n",
        "<img src=x onerror=alert(1)> ",
        "[x](javascript:alert(1))",
    ]
    with FakeModelServer([Reply(openai_text(evil))]) as upstream:
        chat = {"provider": "openai", "model": "m", "base_url": f"{upstream.url}/v1"}
        async with app_client(chat_settings(settings, **chat)) as (_, client):
            events = await post_chat(client, "hi")
            complete = events[-1]
            assert_inert(complete["html"])
            assert_inert(complete["answer"]["html"])
            stored = (await client.get(f"/api/chat/{events[0]['conversationId']}")).json()["data"]["messages"][1]
            assert_inert(stored["html"])
            assert "Here:" in stored["html"]
