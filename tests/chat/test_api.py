"""The chat API: bad inputs (each a 4xx naming the field, nothing stored), conversations, export."""

from __future__ import annotations

import json

import httpx
import pytest

from jarvis.chat import service
from jarvis.core.context import AppContext
from jarvis.settings import Settings
from tests.chat.conftest import app_client, chat_settings, post_chat


async def rows(ctx: AppContext) -> tuple[int, int]:
    async with ctx.db.sessions() as session:
        return await service.count_rows(session=session)


@pytest.mark.parametrize("message", ["", "   ", "\n\t "])
async def test_empty_message_is_refused(client: httpx.AsyncClient, ctx: AppContext, message: str) -> None:
    response = await client.post("/api/chat", json={"message": message})
    assert response.status_code == 400
    body = response.json()
    assert body["error"].startswith("Message is required")  # the seed's phrase
    assert body["details"] == [{"field": "message", "problem": "must not be empty"}]
    assert await rows(ctx) == (0, 0)


async def test_message_over_the_limit_is_413_naming_it(client: httpx.AsyncClient, ctx: AppContext) -> None:
    response = await client.post("/api/chat", json={"message": "x" * 32_001})
    assert response.status_code == 413
    assert "32,000" in response.json()["error"]
    assert response.json()["details"][0]["field"] == "message"
    assert await rows(ctx) == (0, 0)
    ok = await client.post("/api/chat", json={"message": "x" * 32_000})
    assert ok.status_code == 200


async def test_the_limit_follows_the_setting(settings: Settings) -> None:
    async with app_client(chat_settings(settings, max_message_chars=10)) as (_, client):
        response = await client.post("/api/chat", json={"message": "eleven char"})
        assert response.status_code == 413 and "10 character" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": 5}, "message"),
        ({"message": "hi", "extra": 1}, "extra"),
        ({"message": "hi", "conversationId": "x" * 129}, "conversationId"),
        ({"message": "hi", "conversationId": "has space"}, "conversationId"),
        ({"message": "hi", "conversationId": ""}, "conversationId"),
        ({"message": "hi", "conversationId": "ü"}, "conversationId"),
        ({"message": "hi", "context": "not an object"}, "context"),
    ],
)
async def test_malformed_bodies_name_the_field(
    client: httpx.AsyncClient, ctx: AppContext, body: dict[str, object], field: str
) -> None:
    response = await client.post("/api/chat", json=body)
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == field
    assert await rows(ctx) == (0, 0)


async def test_unknown_conversation_is_404_everywhere(client: httpx.AsyncClient, ctx: AppContext) -> None:
    for method, path in [("GET", "/api/chat/nope"), ("DELETE", "/api/chat/nope"), ("GET", "/api/chat/nope/export")]:
        response = await client.request(method, path)
        assert response.status_code == 404
        assert "Conversation not found" in response.json()["error"]  # the seed's phrase
    assert (await client.patch("/api/chat/nope", json={"title": "x"})).status_code == 404
    assert (await client.get("/api/chat/" + "x" * 300)).status_code == 404  # could never be ours: 404, not 400
    assert await rows(ctx) == (0, 0)


async def test_a_client_chosen_conversation_id_starts_that_conversation(
    client: httpx.AsyncClient, ctx: AppContext
) -> None:
    """The seed's frontend names its conversations `web-<ms>-<rand>` and expects them to be created."""
    chosen = "web-1759969135113-7k6q6e"
    first = await post_chat(client, "are you live", conversationId=chosen)
    assert first[0]["conversationId"] == chosen
    again = await post_chat(client, "and now?", conversationId=chosen)
    assert again[0]["conversationId"] == chosen
    detail = (await client.get(f"/api/chat/{chosen}")).json()["data"]
    assert detail["id"] == chosen and len(detail["messages"]) == 4
    longest = "a:b.c_d-" * 16  # 128 characters of every allowed kind
    assert (await post_chat(client, "hi", conversationId=longest))[0]["conversationId"] == longest
    assert await rows(ctx) == (2, 6)


async def test_conversation_lifecycle(client: httpx.AsyncClient, ctx: AppContext) -> None:
    first = await post_chat(client, "How are the services?\nsecond line")
    conversation_id = first[0]["conversationId"]
    assert first[0]["title"] == "How are the services?"
    await post_chat(client, "and the agents?", conversationId=conversation_id)
    other = await post_chat(client, "help")
    listed = (await client.get("/api/chat")).json()["data"]["conversations"]
    assert [c["id"] for c in listed] == [other[0]["conversationId"], conversation_id]  # newest first
    assert listed[1]["messageCount"] == 4

    detail = (await client.get(f"/api/chat/{conversation_id}")).json()["data"]
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant", "user", "assistant"]
    assert all(m["status"] == "complete" for m in detail["messages"])

    renamed = await client.patch(f"/api/chat/{conversation_id}", json={"title": "  Ops   check "})
    assert renamed.status_code == 200 and renamed.json()["data"]["title"] == "Ops check"

    assert (await client.delete(f"/api/chat/{conversation_id}")).status_code == 200
    assert (await client.get(f"/api/chat/{conversation_id}")).status_code == 404
    assert await rows(ctx) == (1, 2)


@pytest.mark.parametrize(
    ("title", "problem"), [("   ", "must not be empty"), ("a" * 201, "at most 200"), ("a\x07b", "control")]
)
async def test_bad_titles_are_refused(client: httpx.AsyncClient, title: str, problem: str) -> None:
    conversation_id = (await post_chat(client, "hello"))[0]["conversationId"]
    response = await client.patch(f"/api/chat/{conversation_id}", json={"title": title})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "title"
    assert problem in response.json()["details"][0]["problem"]
    assert (await client.get(f"/api/chat/{conversation_id}")).json()["data"]["title"] == "hello"


async def test_export_markdown_and_json(client: httpx.AsyncClient) -> None:
    events = await post_chat(client, "what is the MRR?")
    conversation_id = events[0]["conversationId"]
    markdown = await client.get(f"/api/chat/{conversation_id}/export?format=md")
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "attachment" in markdown.headers["content-disposition"]
    assert markdown.text.startswith("# what is the MRR?")
    assert "## You" in markdown.text and "## Jarvis" in markdown.text and events[-1]["message"] in markdown.text

    exported = await client.get(f"/api/chat/{conversation_id}/export?format=json")
    data = exported.json()
    assert data["id"] == conversation_id
    assert [m["content"] for m in data["messages"]] == ["what is the MRR?", events[-1]["message"]]


async def test_export_with_a_bad_format_names_format(client: httpx.AsyncClient) -> None:
    conversation_id = (await post_chat(client, "hello"))[0]["conversationId"]
    response = await client.get(f"/api/chat/{conversation_id}/export?format=pdf")
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "format"


async def test_restart_keeps_conversations(settings: Settings) -> None:
    """A new app on the same database sees everything the first one stored."""
    async with app_client(settings) as (_, client):
        events = await post_chat(client, "remember me")
    async with app_client(settings) as (_, client):
        detail = (await client.get(f"/api/chat/{events[0]['conversationId']}")).json()["data"]
    assert [m["content"] for m in detail["messages"]] == ["remember me", events[-1]["message"]]
    assert detail["messages"][1]["html"] == events[-1]["html"]


async def test_sse_blocks_are_exactly_data_lines_as_the_seed_sent_them(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/chat", json={"message": "status"})
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["cache-control"] == "no-cache"
    blocks = [b for b in response.text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    assert blocks and all(b.startswith("data: {") and "\n" not in b for b in blocks)
    events = [json.loads(b[len("data: ") :]) for b in blocks]
    assert events[0]["type"] == "start" and {"conversationId", "messageId"} <= set(events[0])
    assert events[-1]["type"] == "complete" and isinstance(events[-1]["message"], str)
    assert any(e["type"] == "token" and isinstance(e["content"], str) for e in events)


async def test_the_stream_carries_the_pages_own_rendering(client: httpx.AsyncClient) -> None:
    """One renderer: the server's partial, sent with `start` and `complete` (chat.js builds none)."""
    events = await post_chat(client, '<script>alert("x")</script> status')
    start, done = events[0], events[-1]
    assert start["userHtml"].startswith('<li class="msg msg-user"') and "<script" not in start["userHtml"]
    assert 'data-raw="&lt;script&gt;' in start["userHtml"]  # escaped, as everything from outside
    assert 'data-status="streaming"' in start["answerHtml"]
    assert done["messageHtml"].startswith(f'<li class="msg msg-assistant" data-id="{done["messageId"]}"')
    assert 'data-status="complete"' in done["messageHtml"] and done["html"] in done["messageHtml"]
    page = await client.get(f"/chat/{start['conversationId']}/messages")
    assert page.status_code == 200 and done["messageHtml"] in page.text
