"""Failure before the first token: the built-in assistant answers, with a note naming the failure.
Failure mid-stream: an `error` event, and the partial answer kept, marked incomplete."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from jarvis.settings import Settings
from tests.chat.conftest import answer_text, app_client, chat_settings, post_chat
from tests.chat.fakes import FakeModelServer, Reply, anthropic_text, openai_text
from tests.conftest import free_port

PROVIDERS: dict[str, Callable[[str], dict[str, object]]] = {
    "openai": lambda url: {"provider": "openai", "model": "m", "base_url": f"{url}/v1"},
    "anthropic": lambda url: {"provider": "anthropic", "model": "m", "base_url": url},
    "jarvis": lambda url: {"provider": "jarvis", "base_url": url},
}


def assert_fell_back(events: list[dict[str, Any]], provider: str, reason: str) -> None:
    text = answer_text(events)
    assert text.startswith(f"> **Note:** The {provider} provider failed before answering ({reason}")
    assert "built-in assistant" in text
    complete = events[-1]
    assert complete["type"] == "complete"
    answer = complete["answer"]
    assert isinstance(answer, dict)
    assert answer["provider"] == "builtin" and answer["status"] == "complete"
    assert reason in str(answer["note"])
    assert "Note:" in str(answer["html"])  # the note is visible in the rendered answer


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
async def test_connection_refused_falls_back_to_builtin(settings: Settings, provider: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with app_client(chat_settings(settings, **PROVIDERS[provider](url))) as (_, client):
        events = await post_chat(client, "what is the overall status?")
    assert_fell_back(events, provider, "connection refused or unreachable")
    assert "**Overall:" in answer_text(events)  # the built-in answer itself follows the note


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
async def test_http_500_falls_back_to_builtin(settings: Settings, provider: str) -> None:
    with FakeModelServer([Reply(status=500)]) as upstream:
        async with app_client(chat_settings(settings, **PROVIDERS[provider](upstream.url))) as (_, client):
            events = await post_chat(client, "hello")
    assert_fell_back(events, provider, "HTTP 500")


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_rejected_key_falls_back_naming_the_key(settings: Settings, provider: str) -> None:
    with FakeModelServer([Reply(status=401)]) as upstream:
        async with app_client(chat_settings(settings, **PROVIDERS[provider](upstream.url))) as (_, client):
            events = await post_chat(client, "hello")
    assert_fell_back(events, provider, "the API key was rejected (HTTP 401)")


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
async def test_timeout_before_first_token_falls_back(settings: Settings, provider: str) -> None:
    with FakeModelServer([Reply(hang_before=True)]) as upstream:
        chat = {**PROVIDERS[provider](upstream.url), "timeout_s": 0.3}
        async with app_client(chat_settings(settings, **chat)) as (_, client):
            events = await post_chat(client, "hello")
    assert_fell_back(events, provider, "timed out")


@pytest.mark.parametrize(
    ("provider", "events_before_drop"),
    [
        ("openai", openai_text(["Partial ", "answer"], finish=False)),
        ("anthropic", anthropic_text(["Partial ", "answer"], finish=False)),
    ],
)
async def test_failure_mid_stream_keeps_the_partial_answer_marked_incomplete(
    settings: Settings, provider: str, events_before_drop: list[bytes]
) -> None:
    with FakeModelServer([Reply(events_before_drop, then="drop")]) as upstream:
        async with app_client(chat_settings(settings, **PROVIDERS[provider](upstream.url))) as (_, client):
            events = await post_chat(client, "tell me")
            assert [e["type"] for e in events] == ["start", "token", "token", "error"]
            error = events[-1]
            assert f"The {provider} provider failed mid-answer" in error["error"]
            assert error["message"] == "Partial answer"
            stored = (await client.get(f"/api/chat/{events[0]['conversationId']}")).json()["data"]["messages"][1]
            assert stored["content"] == "Partial answer"
            assert stored["status"] == "incomplete"
            assert stored["error"] == error["error"]


async def test_jarvis_provider_sends_the_control_plane_request(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JARVIS_AUTH_TOKEN", "secret-token")
    body = json.dumps({"success": True, "data": {"response": "Brain says hi."}}).encode()
    with FakeModelServer([Reply(body=body), Reply(body=body)]) as upstream:
        async with app_client(chat_settings(settings, provider="jarvis", base_url=upstream.url)) as (_, client):
            first = await post_chat(client, "hello brain", context={"page": "/"})
            await post_chat(client, "again", conversationId=first[0]["conversationId"])
    assert answer_text(first) == "Brain says hi."
    assert first[-1]["answer"]["provider"] == "jarvis"
    assert upstream.requests[0] == {
        "module": "ai-brain",
        "action": "chat",
        "params": {"message": "hello brain", "conversationHistory": [], "context": {"page": "/"}},
    }
    assert upstream.requests[1]["params"]["conversationHistory"] == [
        {"role": "user", "content": "hello brain"},
        {"role": "assistant", "content": "Brain says hi."},
    ]
    assert upstream.headers[0]["authorization"] == "Bearer secret-token"


async def test_jarvis_answer_without_data_response_falls_back(settings: Settings) -> None:
    with FakeModelServer([Reply(body=b'{"success": true, "data": {}}')]) as upstream:
        async with app_client(chat_settings(settings, provider="jarvis", base_url=upstream.url)) as (_, client):
            events = await post_chat(client, "hello")
    assert_fell_back(events, "jarvis", "the control plane's answer had no data.response")


async def test_an_error_event_mid_stream_ends_the_answer_incomplete(settings: Settings) -> None:
    events_sent = [*openai_text(["Part "], finish=False), b'data: {"error": {"message": "overloaded"}}\n\n']
    with FakeModelServer([Reply(events_sent)]) as upstream:
        async with app_client(chat_settings(settings, **PROVIDERS["openai"](upstream.url))) as (_, client):
            events = await post_chat(client, "go")
    assert [e["type"] for e in events] == ["start", "token", "error"]
    assert events[-1]["error"] == "The openai provider failed mid-answer: the provider reported an error: overloaded"
    assert events[-1]["answer"]["status"] == "incomplete" and events[-1]["answer"]["content"] == "Part "
