"""The `openai` provider against a local server speaking the chat-completions streaming format."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jarvis.settings import Settings
from tests.chat.conftest import answer_text, app_client, chat_settings, post_chat
from tests.chat.fakes import FakeModelServer, Reply, openai_text, openai_tool_call


@pytest.fixture
def upstream(request: pytest.FixtureRequest) -> Iterator[FakeModelServer]:
    with FakeModelServer(request.param) as server:
        yield server


def openai_settings(settings: Settings, url: str, **extra: object) -> Settings:
    return chat_settings(settings, provider="openai", model="test-model", base_url=f"{url}/v1", **extra)


@pytest.mark.parametrize("upstream", [[Reply(openai_text(["Hel", "lo ", "there"]))]], indirect=True)
async def test_streams_tokens_as_they_arrive_and_stores_the_answer(
    settings: Settings, upstream: FakeModelServer
) -> None:
    async with app_client(openai_settings(settings, upstream.url)) as (_, client):
        events = await post_chat(client, "hi model")
        assert [e["type"] for e in events] == ["start", "token", "token", "token", "complete"]
        assert answer_text(events) == "Hello there"
        complete = events[-1]
        assert complete["message"] == "Hello there"
        assert complete["answer"]["provider"] == "openai"
        assert complete["answer"]["status"] == "complete"
        stored = (await client.get(f"/api/chat/{events[0]['conversationId']}")).json()["data"]
        assert [m["content"] for m in stored["messages"]] == ["hi model", "Hello there"]
    sent = upstream.requests[0]
    assert sent["model"] == "test-model" and sent["stream"] is True
    assert sent["messages"][0]["role"] == "system"
    assert sent["messages"][-1] == {"role": "user", "content": "hi model"}
    assert {tool["function"]["name"] for tool in sent["tools"]} >= {"list_services", "check_service_now"}


@pytest.mark.parametrize(
    "upstream",
    [
        [
            Reply(
                openai_tool_call(
                    [
                        ("call_a", "list_services", ["{", "}"]),
                        ("call_b", "get_service_history", ['{"na', 'me": "jarvis"}']),
                    ]
                )
            ),
            Reply(openai_text(["All ", "good."])),
        ]
    ],
    indirect=True,
)
async def test_tool_call_deltas_are_assembled_run_and_answered(settings: Settings, upstream: FakeModelServer) -> None:
    async with app_client(openai_settings(settings, upstream.url)) as (_, client):
        events = await post_chat(client, "are my services fine?")
        tools = [e["tool"] for e in events if e["type"] == "tool"]
        assert [t["name"] for t in tools] == ["list_services", "get_service_history"]
        assert tools[1]["arguments"] == {"name": "jarvis"}
        assert answer_text(events) == "All good."
        stored = (await client.get(f"/api/chat/{events[0]['conversationId']}")).json()["data"]
        assert [t["name"] for t in stored["messages"][1]["tools"]] == ["list_services", "get_service_history"]
    second = upstream.requests[1]["messages"]
    assistant = [m for m in second if m["role"] == "assistant"][-1]
    assert [c["function"]["name"] for c in assistant["tool_calls"]] == ["list_services", "get_service_history"]
    results = [m for m in second if m["role"] == "tool"]
    assert [r["tool_call_id"] for r in results] == ["call_a", "call_b"]
    assert '"services"' in results[0]["content"]


@pytest.mark.parametrize("upstream", [[Reply(openai_text(["one"])), Reply(openai_text(["two"]))]], indirect=True)
async def test_history_is_sent_and_capped_at_max_history(settings: Settings, upstream: FakeModelServer) -> None:
    async with app_client(openai_settings(settings, upstream.url, max_history=2)) as (_, client):
        first = await post_chat(client, "first question")
        await post_chat(client, "second question", conversationId=first[0]["conversationId"])
    sent = [m for m in upstream.requests[1]["messages"] if m["role"] != "system"]
    assert sent == [{"role": "assistant", "content": "one"}, {"role": "user", "content": "second question"}]
