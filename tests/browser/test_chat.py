"""The chat page in Chromium: a message streams in as it arrives, Stop interrupts one, Export downloads
one; Enter with an empty input sends nothing; the page fits a 375 px phone."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.chat.conftest import live
from tests.chat.fakes import FakeModelServer, Reply, openai_text
from tests.conftest import LiveServer

STREAMED = ["**Streamed** ", "answer ", "arrives ", "word ", "by ", "word."]


@pytest.fixture
def chat_server(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[LiveServer, FakeModelServer]]:
    target = tmp_path / "data" / "jarvis.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, target)
    replies = [
        Reply(openai_text(STREAMED), gap_s=0.4),
        Reply(openai_text(["Never ", "ending "], finish=False), then="hang"),
    ]
    with FakeModelServer(replies) as upstream:
        chat = {"provider": "openai", "model": "m", "base_url": f"{upstream.url}/v1"}
        with live(tmp_path, f"sqlite+aiosqlite:///{target}", **chat) as server:
            yield server, upstream


def test_send_watch_stream_stop_and_export(page: Page, chat_server: tuple[LiveServer, FakeModelServer]) -> None:
    server, upstream = chat_server
    page.goto(f"{server.url}/chat")
    box = page.get_by_placeholder("message", exact=False)
    expect(box).to_be_visible()

    box.press("Enter")  # empty: nothing is sent
    expect(page.locator(".msg")).to_have_count(0)

    box.fill("Tell me something")
    box.press("Enter")
    answer = page.locator(".msg-assistant").first
    body = answer.locator(".msg-body")
    expect(body).to_contain_text("answer", timeout=15000)  # part of it has arrived ...
    assert "word." not in body.inner_text()  # ... and not yet the rest: it streams
    expect(answer).to_have_attribute("data-status", "complete", timeout=10000)
    expect(body.locator("strong")).to_have_text("Streamed")  # the server's rendered Markdown replaced the text
    expect(page.locator(".msg-user").first).to_contain_text("Tell me something")

    box.fill("Now a long one")
    page.get_by_role("button", name="Send").click()
    second = page.locator(".msg-assistant").nth(1)
    expect(second.locator(".msg-body")).to_contain_text("ending", timeout=15000)
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_be_visible()
    stop.click()
    expect(second).to_have_attribute("data-status", "interrupted", timeout=5000)
    expect(stop).to_be_hidden()
    assert upstream.disconnected.wait(10)  # the upstream request was cancelled too

    conversation_id = page.locator("#chat").get_attribute("data-conversation")
    assert conversation_id
    stored = None
    for _ in range(100):
        stored = httpx.get(f"{server.url}/api/chat/{conversation_id}").json()["data"]["messages"]
        if stored[3]["status"] == "interrupted":
            break
        page.wait_for_timeout(50)
    assert stored is not None and stored[3]["status"] == "interrupted" and stored[3]["content"] == "Never ending "

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("# Tell me something")
    assert "**Streamed** answer arrives word by word." in text and "_(interrupted)_" in text

    # Reloading shows the stored conversation, rendered on the server.
    page.reload()
    expect(page.locator(".msg")).to_have_count(4)
    expect(page.locator(".msg-assistant").nth(1).locator(".msg-flag")).to_have_text("interrupted")


def test_voice_button_and_phone_width(browser: Browser, chat_server: tuple[LiveServer, FakeModelServer]) -> None:
    server, _ = chat_server
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/chat")
        voice = page.locator("#chat-voice")
        assert "voice" in (voice.get_attribute("aria-label") or "").lower()
        has_recognition = page.evaluate("() => Boolean(window.SpeechRecognition || window.webkitSpeechRecognition)")
        if not has_recognition:
            expect(voice).to_be_disabled()
            expect(page.locator("#chat-voice-note")).to_contain_text("not available")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375
        box = page.get_by_placeholder("message", exact=False)
        expect(box).to_be_visible()
        assert box.bounding_box() is not None and box.bounding_box()["width"] > 200  # type: ignore[index]
        box.fill("hello")
        box.press("Shift+Enter")
        assert box.input_value() == "hello\n"  # Shift+Enter adds a line, does not send
        expect(page.locator(".msg")).to_have_count(0)
    finally:
        context.close()


def test_voice_button_is_disabled_with_a_reason_without_speech_recognition(
    browser: Browser, chat_server: tuple[LiveServer, FakeModelServer]
) -> None:
    server, _ = chat_server
    context = browser.new_context()
    context.add_init_script("delete window.SpeechRecognition; delete window.webkitSpeechRecognition;")
    page = context.new_page()
    try:
        page.goto(f"{server.url}/chat")
        voice = page.locator("#chat-voice")
        expect(voice).to_be_disabled()
        assert "no speech recognition" in (voice.get_attribute("title") or "")
        expect(page.locator("#chat-voice-note")).to_be_visible()
    finally:
        context.close()
