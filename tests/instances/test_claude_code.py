"""Claude Code hook payloads: every sample event moves the session's state as documented."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.instances.models import Instance, InstanceEvent
from tests.instances.conftest import count_rows

SAMPLE = Path(__file__).with_name("claude-code-hooks.jsonl")
EVENTS: list[dict[str, Any]] = [json.loads(line) for line in SAMPLE.read_text().splitlines() if line.strip()]
SESSION = EVENTS[0]["session_id"]
# (state, current tool, timeline kind) after each line of the sample.
EXPECTED = [
    ("SessionStart", "idle", None, "session_start"),
    ("UserPromptSubmit", "working", None, "prompt"),
    ("PreToolUse", "working", "Read", "tool"),
    ("PostToolUse", "working", None, "tool_done"),
    ("PreToolUse", "working", "Bash", "tool"),
    ("Notification", "waiting", "Bash", "notification"),  # permission prompt
    ("PostToolUseFailure", "working", None, "tool_failed"),  # the next event ends the wait
    ("SubagentStop", "working", None, "subagent_stop"),
    ("PreCompact", "working", None, "compact"),
    ("Stop", "idle", None, "stop"),
    ("Notification", "idle", None, "notification"),  # idle prompt: still your turn, not a wait
    ("SessionEnd", "ended", None, "session_end"),
]


def instance_of(data: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [i for i in data["instances"] if i["session_id"] == SESSION]
    assert len(found) == 1
    return found[0]


async def test_every_sample_event_moves_the_state(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: clock.FrozenClock
) -> None:
    assert [event["hook_event_name"] for event in EVENTS] == [row[0] for row in EXPECTED]
    for payload, (_, state, tool, kind) in zip(EVENTS, EXPECTED, strict=True):
        frozen_clock.advance(1)
        response = await client.post("/api/hooks/claude-code", json={**payload, "host": "dev-box"})
        assert response.status_code == 204 and response.content == b""
        instance = instance_of((await client.get("/api/sections/instances")).json()["data"])
        assert (instance["status"], instance["current_tool"]) == (state, tool), payload["hook_event_name"]
        detail = (await client.get(f"/api/instances/{instance['id']}")).json()["data"]
        assert detail["timeline"][0]["kind"] == kind

    assert instance["id"] == f"cc-dev-box-{SESSION}"
    assert instance["source"] == "claude-code" and instance["host"] == "dev-box"
    assert instance["cwd"] == "/srv/shop" and instance["name"] == "shop"
    assert instance["last_prompt"] == "Add cursor pagination to GET /orders and update the tests"
    assert instance["last_seen"] == clock.iso(frozen_clock.current)
    timeline = (await client.get(f"/api/instances/{instance['id']}")).json()["data"]["timeline"]
    assert len(timeline) == 10  # the retention cap of these tests' settings
    failure = next(e for e in timeline if e["kind"] == "tool_failed")
    assert failure["message"] == "Bash failed: Exit code 1: 2 failed, 31 passed"
    assert failure["data"]["tool_use_id"] == "toolu_01B"  # fields kept as sent


async def test_prompt_is_truncated_and_ids_are_url_safe(client: httpx.AsyncClient) -> None:
    payload = {
        "session_id": "a/b c?d",
        "hook_event_name": "UserPromptSubmit",
        "prompt": "word " * 100,
        "host": "my host.local",
        "cwd": "/w/x",
    }
    assert (await client.post("/api/hooks/claude-code", json=payload)).status_code == 204
    [instance] = (await client.get("/api/instances")).json()["data"]["instances"]
    assert instance["id"] == "cc-my-host.local-a-b-c-d"
    assert len(instance["last_prompt"]) == 200 and instance["last_prompt"].endswith("…")
    assert (await client.get(f"/api/instances/{instance['id']}")).status_code == 200


async def test_unknown_events_and_fields_are_kept(client: httpx.AsyncClient) -> None:
    base = {"session_id": "s1", "cwd": "/w/app", "host": "h"}
    await client.post(
        "/api/hooks/claude-code",
        json={**base, "hook_event_name": "Notification", "message": "Claude needs your permission to use Bash"},
    )
    payload = {**base, "hook_event_name": "FutureEvent", "future_field": {"nested": [1, 2]}, "branch": "feat/y"}
    assert (await client.post("/api/hooks/claude-code", json=payload)).status_code == 204
    detail = (await client.get("/api/instances/cc-h-s1")).json()["data"]
    assert detail["instance"]["status"] == "waiting"  # only the event that answers a wait ends it
    assert detail["instance"]["branch"] == "feat/y"
    newest = detail["timeline"][0]
    assert newest["kind"] == "hook" and newest["message"] == "FutureEvent"
    assert newest["data"]["future_field"] == {"nested": [1, 2]}


async def test_host_defaults_to_this_machine_for_loopback_posts(client: httpx.AsyncClient) -> None:
    payload = {"session_id": "s2", "hook_event_name": "SessionStart"}
    assert (await client.post("/api/hooks/claude-code", json=payload)).status_code == 204
    [instance] = (await client.get("/api/instances")).json()["data"]["instances"]
    assert instance["host"] == socket.gethostname()


async def test_hook_events_are_published(client: httpx.AsyncClient, ctx: AppContext) -> None:
    subscription = ctx.hub.subscribe(["instance.*"])
    await client.post("/api/hooks/claude-code", json={**EVENTS[1], "host": "h"})
    event = subscription.queue.get_nowait()
    assert event is not None and event.type == "instance.event"
    assert event.data["kind"] == "prompt" and event.data["status"] == "working"
    updated = subscription.queue.get_nowait()
    assert updated is not None and updated.type == "instance.updated" and updated.data["status"] == "working"


@pytest.mark.parametrize(
    ("content", "field", "status"),
    [
        (b"not json", "body", 400),
        (b"[1, 2]", "body", 400),
        (b'{"hook_event_name": "Stop"}', "session_id", 400),
        (b'{"session_id": 42, "hook_event_name": "Stop"}', "session_id", 400),
        (b'{"session_id": "s", "hook_event_name": ""}', "hook_event_name", 400),
        (json.dumps({"session_id": "s" * 201, "hook_event_name": "Stop"}).encode(), "session_id", 400),
        (b'{"session_id": "s", "hook_event_name": "Stop", "host": ["x"]}', "host", 400),
        (json.dumps({"session_id": "s", "hook_event_name": "Stop", "x": "y" * 1048576}).encode(), None, 413),
    ],
)
async def test_bad_hook_payloads_are_refused_and_change_nothing(
    client: httpx.AsyncClient, ctx: AppContext, content: bytes, field: str | None, status: int
) -> None:
    response = await client.post(
        "/api/hooks/claude-code", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["success"] is False
    if field:
        assert envelope["details"][0]["field"] == field
    assert await count_rows(ctx, Instance) == 0 and await count_rows(ctx, InstanceEvent) == 0
