"""The `anthropic` provider against a local server speaking the Messages streaming format."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jarvis.settings import Settings
from tests.chat.conftest import answer_text, app_client, chat_settings, post_chat
from tests.chat.fakes import FakeModelServer, Reply, anthropic_text, anthropic_tool_use


@pytest.fixture
def upstream(request: pytest.FixtureRequest) -> Iterator[FakeModelServer]:
    with FakeModelServer(request.param) as server:
        yield server


def anthropic_settings(settings: Settings, url: str) -> Settings:
    return chat_settings(settings, provider="anthropic", model="claude-test", base_url=url)


@pytest.mark.parametrize("upstream", [[Reply(anthropic_text(["Bonjour", ", ", "Jarvis"]))]], indirect=True)
async def test_streams_text_deltas(settings: Settings, upstream: FakeModelServer) -> None:
    async with app_client(anthropic_settings(settings, upstream.url)) as (_, client):
        events = await post_chat(client, "say hi", context={"page": "/chat"})
        assert [e["type"] for e in events] == ["start", "token", "token", "token", "complete"]
        assert answer_text(events) == "Bonjour, Jarvis"
        assert events[-1]["answer"]["provider"] == "anthropic"
    sent = upstream.requests[0]
    assert sent["model"] == "claude-test" and sent["stream"] is True and sent["max_tokens"] == 1024
    assert sent["messages"] == [{"role": "user", "content": "say hi"}]
    assert "/chat" in sent["system"]  # the page context reaches the model
    assert {tool["name"] for tool in sent["tools"]} >= {"get_financial_summary", "list_open_suggestions"}


@pytest.mark.parametrize(
    "upstream",
    [
        [
            Reply(anthropic_tool_use("Checking. ", "toolu_1", "check_service_now", ['{"name"', ': "jarvis"}'])),
            Reply(anthropic_text(["It is up."])),
        ]
    ],
    indirect=True,
)
async def test_tool_use_input_json_deltas_are_assembled_and_answered(
    settings: Settings, upstream: FakeModelServer
) -> None:
    async with app_client(anthropic_settings(settings, upstream.url)) as (_, client):
        events = await post_chat(client, "is jarvis up?")
        types = [e["type"] for e in events]
        assert types == ["start", "token", "tool", "token", "complete"]
        step = events[2]["tool"]
        assert step["name"] == "check_service_now" and step["arguments"] == {"name": "jarvis"}
        assert answer_text(events) == "Checking. It is up."
    follow_up = upstream.requests[1]["messages"]
    assert follow_up[1]["role"] == "assistant"
    assert follow_up[1]["content"][1] == {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "check_service_now",
        "input": {"name": "jarvis"},
    }
    result = follow_up[2]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"] == "toolu_1"
    assert "jarvis" in result["content"]
