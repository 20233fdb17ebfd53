"""Heartbeats and typed events: upsert, timeline, retention, stale, hub events, and bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.instances import ingest
from jarvis.instances.models import Instance, InstanceEvent
from tests.instances.conftest import count_rows


async def test_heartbeat_creates_and_updates_an_instance(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: clock.FrozenClock
) -> None:
    subscription = ctx.hub.subscribe(["instance.*"])
    body = {
        "status": "active",
        "role": "Backend",
        "current_task": "Orders API",
        "branch": "feat/orders",
        "repo": "git@example.com:shop.git",
        "host": "build-1",
        "last_commit": {"hash": "1a2b3c4", "message": "Add orders", "timestamp": "2026-11-25T11:59:00Z"},
    }
    response = await client.post("/api/instances/agent-a/heartbeat", json=body)
    assert response.status_code == 200, response.text
    instance = response.json()["data"]
    assert instance["id"] == "agent-a" and instance["source"] == "heartbeat" and instance["status"] == "active"
    assert instance["last_seen"] == "2026-11-25T12:00:00Z"
    kinds = []
    for _ in range(3):
        event = await asyncio.wait_for(subscription.get(), 1)
        assert event is not None
        kinds.append(event.type)
    assert kinds == ["instance.event", "instance.event", "instance.updated"]

    frozen_clock.advance(30)
    await client.post("/api/instances/agent-a/heartbeat", json={"status": "blocked"})
    [shown] = (await client.get("/api/sections/instances")).json()["data"]["instances"]
    assert shown["status"] == "blocked" and shown["role"] == "Backend"  # fields not sent are kept
    assert shown["last_commit"]["hash"] == "1a2b3c4" and shown["last_seen"] == "2026-11-25T12:00:30Z"

    detail = (await client.get("/api/instances/agent-a")).json()["data"]
    assert [e["kind"] for e in detail["timeline"]] == ["status", "commit", "status"]
    assert detail["timeline"][0]["message"] == "Status active → blocked"
    listed = (await client.get("/api/instances")).json()["data"]["instances"]
    assert [i["id"] for i in listed] == ["agent-a"]


async def test_silent_instance_turns_stale_and_back(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: clock.FrozenClock
) -> None:
    await client.post("/api/instances/agent-s/heartbeat", json={"status": "active"})
    await client.post("/api/instances/agent-d/heartbeat", json={"status": "done"})
    frozen_clock.advance(ctx.settings.monitoring.instance_stale_after_s - 1)
    ctx.cache.clear()
    statuses = {i["id"]: i["status"] for i in (await client.get("/api/instances")).json()["data"]["instances"]}
    assert statuses == {"agent-s": "active", "agent-d": "done"}
    frozen_clock.advance(2)
    ctx.cache.clear()  # what the TTL does in real time
    data = (await client.get("/api/sections/instances")).json()["data"]
    statuses = {i["id"]: i["status"] for i in data["instances"]}
    assert statuses == {"agent-s": "stale", "agent-d": "done"}  # a finished instance is not "stale"
    assert data["metrics"]["active_instances"] == 0 and data["metrics"]["total_instances"] == 2
    await client.post("/api/instances/agent-s/events", json={"kind": "log", "message": "still here"})
    data = (await client.get("/api/sections/instances")).json()["data"]
    assert {i["id"]: i["status"] for i in data["instances"]}["agent-s"] == "active"


async def test_events_go_to_the_timeline_and_commits_set_the_last_commit(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: clock.FrozenClock
) -> None:
    await client.post("/api/instances/agent-e/heartbeat", json={"status": "active"})
    subscription = ctx.hub.subscribe(["instance.event"])
    response = await client.post(
        "/api/instances/agent-e/events",
        json={"kind": "commit", "commit": {"hash": "abcdef1", "message": "Fix totals"}, "data": {"files": 3}},
    )
    assert response.status_code == 201, response.text
    event = response.json()["data"]
    assert event["kind"] == "commit" and event["message"] == "Fix totals"
    assert event["data"] == {
        "files": 3,
        "commit": {"hash": "abcdef1", "message": "Fix totals", "timestamp": clock.iso(frozen_clock.current)},
    }
    published = await asyncio.wait_for(subscription.get(), 1)
    assert published is not None and published.data["kind"] == "commit" and published.data["instance_id"] == "agent-e"
    detail = (await client.get("/api/instances/agent-e")).json()["data"]
    assert detail["instance"]["last_commit"]["hash"] == "abcdef1"
    assert detail["timeline"][0]["kind"] == "commit"


async def test_timeline_keeps_only_the_retention_cap(client: httpx.AsyncClient, ctx: AppContext) -> None:
    await client.post("/api/instances/agent-r/heartbeat", json={"status": "active"})
    for number in range(15):
        await client.post("/api/instances/agent-r/events", json={"kind": "log", "message": f"line {number}"})
    await client.post("/api/instances/agent-q/heartbeat", json={"status": "active"})
    timeline = (await client.get("/api/instances/agent-r?limit=100")).json()["data"]["timeline"]
    assert len(timeline) == ctx.settings.monitoring.event_retention == 10
    assert timeline[0]["message"] == "line 14" and timeline[-1]["message"] == "line 5"
    other = (await client.get("/api/instances/agent-q")).json()["data"]["timeline"]
    assert len(other) == 1  # the cap is per instance


async def stored_events(ctx: AppContext, instance_id: str) -> int:
    async with ctx.db.sessions() as session:
        query = select(func.count()).select_from(InstanceEvent).where(InstanceEvent.instance_id == instance_id)
        return int(await session.scalar(query) or 0)


async def test_the_store_is_trimmed_in_steps_of_a_tenth_and_to_the_cap_at_first_sight(
    client: httpx.AsyncClient, ctx: AppContext
) -> None:
    retention = ctx.settings.monitoring.event_retention  # 10: trimmed once it holds 12, back to 10
    await client.post("/api/instances/agent-t/heartbeat", json={"status": "active"})
    seen = []
    for number in range(14):
        await client.post("/api/instances/agent-t/events", json={"kind": "log", "message": f"line {number}"})
        seen.append(await stored_events(ctx, "agent-t"))
    assert seen == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 10, 11, 10, 11]
    assert max(seen) == retention + 1
    # A process that has not seen the instance (a restart) counts what it holds and trims it at once.
    async with ctx.db.sessions() as session:
        session.add_all(InstanceEvent(instance_id="agent-t", kind="log", at=clock.now()) for _ in range(5))
        await session.commit()
    ingest.batcher_of(ctx).timelines.held.clear()
    await client.post("/api/instances/agent-t/events", json={"kind": "log", "message": "after restart"})
    assert await stored_events(ctx, "agent-t") == retention


async def test_unknown_instance_is_404(client: httpx.AsyncClient, ctx: AppContext) -> None:
    for method, path, body in [
        ("GET", "/api/instances/nobody", None),
        ("POST", "/api/instances/nobody/events", {"kind": "log"}),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 404
        envelope = response.json()
        assert envelope["success"] is False and envelope["details"][0]["field"] == "instance_id"
    assert await count_rows(ctx, InstanceEvent) == 0 and await count_rows(ctx, Instance) == 0


BAD_HEARTBEATS: list[tuple[Any, str]] = [
    ({}, "status"),
    ({"status": "sleeping"}, "status"),
    ({"status": "active", "colour": "blue"}, "colour"),
    ({"status": "active", "role": "x" * 201}, "role"),
    ({"status": "active", "current_task": ["a"]}, "current_task"),
    ({"status": "active", "last_commit": "1a2b3c4"}, "last_commit"),
    ({"status": "active", "last_commit": {"hash": "zz-not-hex"}}, "last_commit.hash"),
    ({"status": "active", "last_commit": {"hash": "1a2b3c4", "timestamp": "yesterday"}}, "last_commit.timestamp"),
    ({"status": "active", "last_commit": {"hash": "1a2b3c4", "author": "me"}}, "last_commit.author"),
    ([1, 2], "body"),
]


@pytest.mark.parametrize(("body", "field"), BAD_HEARTBEATS)
async def test_bad_heartbeats_are_refused_and_change_nothing(
    client: httpx.AsyncClient, ctx: AppContext, body: Any, field: str
) -> None:
    await client.post("/api/instances/agent-a/heartbeat", json={"status": "idle", "role": "QA"})
    before = (await count_rows(ctx, Instance), await count_rows(ctx, InstanceEvent))
    for instance_id in ("agent-a", "agent-new"):
        response = await client.post(f"/api/instances/{instance_id}/heartbeat", json=body)
        assert response.status_code == 400, response.text
        envelope = response.json()
        assert envelope["success"] is False and envelope["code"] == "validation_error"
        assert field in [detail["field"] for detail in envelope["details"]]
    assert (await count_rows(ctx, Instance), await count_rows(ctx, InstanceEvent)) == before
    [agent] = (await client.get("/api/instances")).json()["data"]["instances"]
    assert agent["status"] == "idle" and agent["role"] == "QA"


async def test_non_json_bad_id_and_oversized_bodies(client: httpx.AsyncClient, ctx: AppContext) -> None:
    response = await client.post(
        "/api/instances/agent-a/heartbeat", content=b"{status: active", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "body"
    response = await client.post("/api/instances/bad%20id!/heartbeat", json={"status": "active"})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "instance_id"
    response = await client.post("/api/instances/" + "a" * 200 + "/heartbeat", json={"status": "active"})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "instance_id"
    huge = {"status": "active", "current_task": "x" * (1024 * 1024)}
    response = await client.post("/api/instances/agent-a/heartbeat", json=huge)
    assert response.status_code == 413
    assert await count_rows(ctx, Instance) == 0


BAD_EVENTS: list[tuple[Any, str]] = [
    ({}, "kind"),
    ({"kind": "Not A Kind"}, "kind"),
    ({"kind": "log", "message": "x" * 2001}, "message"),
    ({"kind": "log", "data": "text"}, "data"),
    ({"kind": "log", "data": {"blob": "x" * 20_000}}, "data"),
    ({"kind": "log", "level": "info"}, "level"),
    ({"kind": "commit"}, "commit"),
    ({"kind": "commit", "commit": {"message": "no hash"}}, "commit.hash"),
]


@pytest.mark.parametrize(("body", "field"), BAD_EVENTS)
async def test_bad_events_are_refused_and_change_nothing(
    client: httpx.AsyncClient, ctx: AppContext, body: Any, field: str
) -> None:
    await client.post("/api/instances/agent-a/heartbeat", json={"status": "active"})
    before = await count_rows(ctx, InstanceEvent)
    response = await client.post("/api/instances/agent-a/events", json=body)
    assert response.status_code == 400, response.text
    assert field in [detail["field"] for detail in response.json()["details"]]
    assert await count_rows(ctx, InstanceEvent) == before


async def test_events_for_a_tracker_instance_are_accepted(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Any, frozen_clock: clock.FrozenClock
) -> None:
    from jarvis.instances import collector
    from tests.instances.conftest import DESIGN_EXAMPLE, write_tracker

    write_tracker(monitoring_dir, DESIGN_EXAMPLE)
    await collector.reload(ctx)
    response = await client.post("/api/instances/agent-a/events", json={"kind": "log", "message": "hello"})
    assert response.status_code == 201
    [agent] = (await client.get("/api/instances")).json()["data"]["instances"]
    # The event is a sign of life; the status and role still come from the file.
    assert agent["status"] == "active" and agent["role"] == "Backend" and agent["source"] == "tracker"
    assert agent["last_seen"] == clock.iso(frozen_clock.current)


async def test_an_integer_beyond_64_bits_in_event_data_is_a_400(client: httpx.AsyncClient) -> None:
    await client.post("/api/instances/agent-big/heartbeat", json={"status": "active"})
    response = await client.post("/api/instances/agent-big/events", json={"kind": "note", "data": {"n": 2**70}})
    assert response.status_code == 400, response.text  # was a 500
    assert response.json()["details"][0]["field"] == "data"
