"""The "Needs you" strip, the cards, archive and delete, and the activity page, through real HTTP."""

from __future__ import annotations

import re
from typing import Any

import httpx

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext

BASE = {"cwd": "/srv/shop", "host": "vm", "transcript_path": "/t"}


async def hook(client: httpx.AsyncClient, session: str, event: dict[str, Any], **extra: Any) -> None:
    body = {**BASE, "session_id": session, **event, **extra}
    assert (await client.post("/api/hooks/claude-code", json=body)).status_code == 204


async def five_sessions(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    prompt = {"hook_event_name": "UserPromptSubmit", "prompt": "go"}
    for session in ("s-working", "s-idle", "s-ended", "s-waiting", "s-error"):
        await hook(client, session, prompt)
        clock.advance(1)
    await hook(client, "s-idle", {"hook_event_name": "Stop"})
    await hook(client, "s-ended", {"hook_event_name": "SessionEnd", "reason": "logout"})
    await hook(client, "s-error", {"hook_event_name": "StopFailure", "error": "rate_limit"})
    clock.advance(5)
    await hook(
        client,
        "s-waiting",
        {"hook_event_name": "PermissionRequest", "tool_name": "Bash", "tool_input": {"command": "git push --force"}},
    )
    await hook(client, "s-working", {"hook_event_name": "PreToolUse", "tool_name": "Edit", "tool_input": {}})


async def test_attention_order_and_the_strip_first_on_the_page(
    client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    await five_sessions(client, frozen_clock)
    data = (await client.get("/api/dashboard/instances")).json()["data"]
    assert [a["id"] for a in data["attention"]] == ["cc-vm-s-error", "cc-vm-s-waiting"]  # both high: longest first
    order = [i["id"] for i in data["instances"]]
    assert order[:2] == ["cc-vm-s-error", "cc-vm-s-waiting"]
    assert order[2] == "cc-vm-s-working"  # then the most recent activity
    page = (await client.get("/")).text
    strip = page.index('id="needs-you"')
    assert strip < page.index('id="business"')
    assert "wants to run <code>git push --force</code>" in page[strip : page.index('id="business"')]
    assert re.search(r'<details class="ended">\s*<summary>Ended \(1\)</summary>', page)
    assert 'aria-label="shop: needs you, wants to run git push --force"' in page
    fragment = (await client.get("/fragments/attention")).text
    assert "2 agents need you" in fragment and "hit the rate limit" in fragment


async def test_the_strip_clears_when_the_wait_is_answered(client: httpx.AsyncClient, ctx: AppContext) -> None:
    ask = {"hook_event_name": "PermissionRequest", "tool_name": "Bash", "tool_input": {"command": "make deploy"}}
    await hook(client, "s1", ask)
    assert "make deploy" in (await client.get("/fragments/attention")).text
    await hook(client, "s1", {"hook_event_name": "PostToolUse", "tool_name": "Bash"})
    assert "No agent needs you right now." in (await client.get("/fragments/attention")).text


async def test_archive_and_delete(client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock) -> None:
    await five_sessions(client, frozen_clock)
    archived = await client.post("/api/instances/cc-vm-s-idle/archive")
    assert archived.status_code == 200 and archived.json()["data"]["archived_at"] is not None
    ids = [i["id"] for i in (await client.get("/api/instances")).json()["data"]["instances"]]
    assert "cc-vm-s-idle" not in ids and len(ids) == 4
    assert (await client.get("/api/instances/cc-vm-s-idle")).status_code == 200  # still there, with its timeline
    await hook(client, "s-idle", {"hook_event_name": "UserPromptSubmit", "prompt": "again"})
    ids = [i["id"] for i in (await client.get("/api/instances")).json()["data"]["instances"]]
    assert "cc-vm-s-idle" in ids  # a new event brings it back
    assert (await client.delete("/api/instances/cc-vm-s-idle")).status_code == 204
    assert (await client.get("/api/instances/cc-vm-s-idle")).status_code == 404
    activity = (await client.get("/activity?instance=cc-vm-s-idle")).text
    assert "No events match these filters" in activity
    for method, path in (("POST", "/api/instances/nope/archive"), ("DELETE", "/api/instances/nope")):
        response = await client.request(method, path)
        assert response.status_code == 404 and response.json()["details"][0]["field"] == "instance_id"


async def test_ended_sessions_are_archived_after_an_hour(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    from jarvis.instances import service

    await five_sessions(client, frozen_clock)
    frozen_clock.advance(ctx.settings.attention.archive_ended_after_s - 60)
    assert await service.archive_ended(ctx, older_than_s=ctx.settings.attention.archive_ended_after_s) == 0
    frozen_clock.advance(120)
    assert await service.archive_ended(ctx, older_than_s=ctx.settings.attention.archive_ended_after_s) == 1
    ids = [i["id"] for i in (await client.get("/api/instances")).json()["data"]["instances"]]
    assert "cc-vm-s-ended" not in ids and len(ids) == 4


async def test_cards_are_grouped_by_host_when_several_report(client: httpx.AsyncClient) -> None:
    await hook(client, "a", {"hook_event_name": "SessionStart"})
    await hook(client, "b", {"hook_event_name": "SessionStart"}, host="build-02")
    page = (await client.get("/fragments/instances")).text
    assert '<h3 class="host-heading">build-02</h3>' in page and '<h3 class="host-heading">vm</h3>' in page


async def test_activity_feed_filters_and_pulse(client: httpx.AsyncClient, frozen_clock: FrozenClock) -> None:
    for n in range(3):
        tool = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": f"make t{n}"}}
        await hook(client, "s1", tool)
    await hook(client, "s2", {"hook_event_name": "PreToolUse", "tool_name": "Read", "tool_input": {}}, cwd="/srv/api")
    page = (await client.get("/activity")).text
    assert "— Bash: make t2</span>" in page
    assert 'aria-label="Tool calls per minute over the last 30 min: shop s1 3, api s2 1"' in page
    only_api = (await client.get("/activity?repo=api")).text
    assert "make t2" not in only_api.split("Live feed")[1] and "Read" in only_api
    assert (await client.get("/activity?kind=" + "x" * 201)).status_code == 400
