"""The engine with the real database: dedupe, auto-resolve, escalation, expiry, events, restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from fastapi import FastAPI

from jarvis.app import create_app
from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.proactive.engine import DEBOUNCE_S, ENGINE, Engine
from jarvis.proactive.models import Suggestion
from jarvis.settings import Settings
from tests.proactive import factories as f
from tests.proactive.conftest import count


def offline(minutes: float, clock: FrozenClock, status: str = "offline") -> object:
    return f.state(services=[f.service("api", status, since_min=minutes, now=clock.current)], now=clock.current)


async def test_same_situation_makes_one_suggestion(engine: Engine, ctx: AppContext, frozen_clock: FrozenClock) -> None:
    events = ctx.hub.subscribe(["suggestion.*"])
    first = await engine.tick(offline(10, frozen_clock))
    frozen_clock.advance(60)
    second = await engine.tick(offline(11, frozen_clock))
    assert len(first.created) == 1 and second.created == [] and second.updated == []
    assert await count(ctx, Suggestion) == 1
    event = events.queue.get_nowait()
    assert event is not None and event.type == "suggestion.created" and event.data["dedupe_key"] == "service_down:api"
    released = events.queue.get_nowait()  # the timing gate let it out to the bell: once
    assert released is not None and released.type == "suggestion.notified"
    assert released.data["suggestion_id"] == event.data["id"] and released.data["priority"] == event.data["priority"]
    assert events.queue.empty()


async def test_a_degraded_service_is_released_to_the_bells_once(
    engine: Engine, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    events = ctx.hub.subscribe(["suggestion.*"])
    slow = f.state(
        services=[f.service("api", "degraded", since_min=20, now=frozen_clock.current)], now=frozen_clock.current
    )
    await engine.tick(slow)
    frozen_clock.advance(60)
    await engine.tick(slow)
    created = events.queue.get_nowait()
    released = events.queue.get_nowait()  # the timing gate let it out to the bells: once
    assert created is not None and released is not None and released.type == "suggestion.notified"
    assert released.data["suggestion_id"] == created.data["id"] and released.data["priority"] == "high"
    assert events.queue.empty()


async def test_resolves_itself_when_the_situation_clears(
    engine: Engine, ctx: AppContext, client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    await engine.tick(offline(10, frozen_clock))
    events = ctx.hub.subscribe(["suggestion.resolved"])
    result = await engine.tick(f.state(services=[f.service("api", "healthy")], now=frozen_clock.current))
    assert [item["status"] for item in result.resolved] == ["resolved"]
    assert (await events.get()).data["dedupe_key"] == "service_down:api"  # type: ignore[union-attr]
    body = (await client.get("/api/proactive/suggestions")).json()["data"]
    assert body["suggestions"] == [] and body["status"]["activeSuggestions"] == 0
    resolved = (await client.get("/api/proactive/suggestions?status=resolved")).json()["data"]["suggestions"]
    assert resolved[0]["resolved_at"] is not None


async def test_escalation_updates_the_same_suggestion(
    engine: Engine, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    await engine.tick(offline(30, frozen_clock, status="degraded"))
    result = await engine.tick(offline(6, frozen_clock))
    assert result.created == [] and [item["priority"] for item in result.updated] == ["critical"]
    assert await count(ctx, Suggestion) == 1


async def test_expired_suggestion_makes_way_for_a_fresh_one(
    engine: Engine, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    await engine.tick(offline(10, frozen_clock))
    frozen_clock.advance(25 * 3600)
    result = await engine.tick(offline(25 * 60, frozen_clock))
    assert [item["status"] for item in result.resolved] == ["expired"]
    assert len(result.created) == 1
    assert await count(ctx, Suggestion, Suggestion.status == "active") == 1


async def test_suggestions_keep_the_seed_shape(
    engine: Engine, client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    await engine.tick(offline(10, frozen_clock))
    body = (await client.get("/api/proactive/suggestions")).json()
    assert body["success"] is True
    data = body["data"]
    assert set(data) == {"suggestions", "status"}
    assert {"running", "activeSuggestions", "pendingNotifications", "context"} <= set(data["status"])
    item = data["suggestions"][0]
    for key in ("id", "kind", "title", "why", "link", "priority", "dedupe_key", "expires_at", "figures"):
        assert item[key] is not None, key
    assert data["status"]["activeSuggestions"] == 1


async def test_reads_the_real_dashboard_sections(engine: Engine, client: httpx.AsyncClient) -> None:
    """Without a state given, the engine reads every section through the snapshot (whatever the domains say)."""
    result = await engine.tick()
    assert engine.section_errors == {}
    assert engine.evaluations == 1 and engine.last_duration_ms is not None
    assert all(item["rule"] for item in result.created)


async def test_everything_survives_a_restart(settings: Settings, tmp_path: Path) -> None:
    with FrozenClock() as clock:
        first = create_app(settings, run_jobs=False, migrate=False)
        async with first.router.lifespan_context(first):
            engine = first.state.ctx.extras[ENGINE]
            created = (await engine.tick(offline(10, clock))).created
            async with _client(first) as http:
                posted = await http.post(f"/api/proactive/feedback/{created[0]['id']}", json={"feedback": "positive"})
                assert posted.status_code == 200
        second = create_app(settings, run_jobs=False, migrate=False)
        async with second.router.lifespan_context(second):
            engine = second.state.ctx.extras[ENGINE]
            again = await engine.tick(offline(11, clock))
            assert again.created == []  # the stored suggestion still holds its dedupe key
            async with _client(second) as http:
                data = (await http.get("/api/proactive/suggestions")).json()["data"]
                assert [s["id"] for s in data["suggestions"]] == [str(created[0]["id"])]  # a string, as the seed's
                assert data["suggestions"][0]["feedback"] == "positive"
                rules = (await http.get("/api/proactive/rules")).json()["data"]["rules"]
                down = next(r for r in rules if r["rule"] == "service_down")
                assert down["scores"][0]["alpha"] == 2.0 and down["history"][0]["value"] == "positive"


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


async def test_open_suggestions_for_other_domains(engine: Engine, ctx: AppContext, frozen_clock: FrozenClock) -> None:
    from jarvis.proactive.service import open_suggestions

    assert await open_suggestions(ctx) == []
    await engine.tick(offline(10, frozen_clock))
    [item] = await open_suggestions(ctx)
    assert item["title"] == "api is offline" and item["priority"] == "critical"


async def test_an_escalation_reopens_a_dismissed_suggestion(
    engine: Engine, client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    [created] = (await engine.tick(offline(30, frozen_clock, status="degraded"))).created
    await client.post(f"/api/proactive/feedback/{created['id']}", json={"feedback": "dismissed"})
    assert (await engine.tick(offline(31, frozen_clock, status="degraded"))).updated == []  # stays dismissed
    [updated] = (await engine.tick(offline(6, frozen_clock))).updated
    assert updated["status"] == "active" and updated["priority"] == "critical" and updated["id"] == created["id"]


async def test_a_burst_of_agent_events_costs_one_evaluation(engine: Engine, ctx: AppContext) -> None:
    watcher = asyncio.create_task(engine.watch())
    try:
        for _ in range(50):
            ctx.hub.publish("instance.updated", {"id": "a", "status": "working"})
            await asyncio.sleep(0)
        deadline = asyncio.get_running_loop().time() + 5
        while engine.evaluations == 0 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        settled = engine.evaluations
        await asyncio.sleep(DEBOUNCE_S * 2)  # nothing more comes of the burst
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
    assert settled == 1 and engine.evaluations == 1
