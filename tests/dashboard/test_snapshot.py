"""The snapshot: one build per change whatever the number of viewers, deltas only, at most 1/s."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.dashboard import sections
from jarvis.dashboard.snapshot import snapshot_of


def _builds() -> float:
    return REGISTRY.get_sample_value("jarvis_snapshot_builds_total") or 0.0


@pytest.fixture
def fake_health(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    state: dict[str, Any] = {"overall": "healthy", "calls": 0}

    async def build(ctx: AppContext) -> dict[str, Any]:
        state["calls"] += 1
        return {"overall": state["overall"], "services": [], "timestamp": f"t{state['calls']}"}

    monkeypatch.setitem(sections.BUILDERS, "health", build)
    return state


async def test_unchanged_data_publishes_nothing(ctx: AppContext, fake_health: dict[str, Any]) -> None:
    snapshot = snapshot_of(ctx)
    first = await snapshot.refresh()
    assert first is not None and set(first.data["changed"]) >= {"health"}
    ctx.mark_changed("health")
    assert await snapshot.refresh() is None  # only the build time moved
    assert fake_health["calls"] == 2


async def test_a_change_is_built_once_and_sent_to_every_viewer_as_a_delta(
    ctx: AppContext, fake_health: dict[str, Any]
) -> None:
    snapshot = snapshot_of(ctx)
    await snapshot.refresh()
    viewers = [snapshot.subscribe() for _ in range(200)]
    before_builds, before_calls = _builds(), fake_health["calls"]
    fake_health["overall"] = "offline"
    ctx.mark_changed("health")
    event = await snapshot.refresh()
    assert event is not None
    assert _builds() - before_builds == 1
    assert fake_health["calls"] - before_calls == 1
    assert event.data["changed"] == ["health"]
    assert event.data["sections"]["health"]["overall"] == "offline"
    received = await asyncio.gather(*(asyncio.wait_for(v.get(), 1) for v in viewers))
    assert all(r is event for r in received)  # one object, encoded once for all
    assert snapshot.version == event.id


async def test_reads_between_changes_hit_the_cache(ctx: AppContext, fake_health: dict[str, Any]) -> None:
    snapshot = snapshot_of(ctx)
    for _ in range(20):
        await snapshot.overview_bytes()
    assert fake_health["calls"] == 1
    ctx.mark_changed("health")
    await snapshot.overview_bytes()
    assert fake_health["calls"] == 2


async def test_publisher_wakes_on_a_write(ctx: AppContext, fake_health: dict[str, Any]) -> None:
    snapshot = snapshot_of(ctx)
    await snapshot.refresh()
    viewer = snapshot.subscribe()
    task = asyncio.create_task(snapshot.run_publisher())
    try:
        fake_health["overall"] = "degraded"
        ctx.mark_changed("health")
        event = await asyncio.wait_for(viewer.get(), 1.5)
        assert event is not None and event.data["sections"]["health"]["overall"] == "degraded"
    finally:
        task.cancel()


async def test_a_failing_section_serves_its_last_good_data(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = snapshot_of(ctx)
    good = await snapshot.section("waves")

    async def broken(ctx: AppContext) -> dict[str, Any]:
        raise RuntimeError("database locked")

    monkeypatch.setitem(sections.BUILDERS, "waves", broken)
    ctx.cache.entries["dashboard:waves"].expires_at = 0
    served = await snapshot.section("waves")  # aged out: served at once while one task rebuilds it
    assert served.data == good.data
    await asyncio.gather(*ctx.cache._refreshing)
    entry = ctx.cache.entries["dashboard:waves"]
    assert entry.stale and entry.error == "RuntimeError: database locked"
    assert (await snapshot.section("waves")).data == good.data
    assert ctx.cache.snapshot()["stale_serves"] >= 1


async def test_each_section_goes_out_at_most_once_per_window_without_holding_others(
    ctx: AppContext, fake_health: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    waves = {"done": 0}

    async def build_waves(ctx: AppContext) -> dict[str, Any]:
        return {"waves": [], "done": waves["done"]}

    monkeypatch.setitem(sections.BUILDERS, "waves", build_waves)
    snapshot = snapshot_of(ctx)
    await snapshot.refresh(now=100.0)
    fake_health["overall"] = "degraded"
    waves["done"] = 1
    ctx.mark_changed("health", "waves")
    snapshot.sent_at["waves"] = 99.0  # waves last went out long ago
    first = await snapshot.refresh(now=100.05)
    assert first is not None and first.data["changed"] == ["waves"]  # health's change does not hold it
    assert snapshot.held == {"health": 100.1}  # health went out at 100.0: it waits for its 100 ms window
    second = await snapshot.refresh(now=100.1)
    assert second is not None and second.data["changed"] == ["health"]
    assert second.data["sections"]["health"]["overall"] == "degraded"
    assert snapshot.held == {}


async def test_a_wait_growing_longer_is_not_a_change(
    ctx: AppContext, client: httpx.AsyncClient, frozen_clock: clock.FrozenClock
) -> None:
    """Every viewer would refetch the instances every tick while an agent waits."""
    ask = {"session_id": "s", "hook_event_name": "PermissionRequest", "tool_name": "Bash", "host": "vm"}
    assert (await client.post("/api/hooks/claude-code", json=ask)).status_code == 204
    snapshot = snapshot_of(ctx)
    await snapshot.refresh()
    frozen_clock.advance(30)
    ctx.cache.clear()  # the section is rebuilt, as its TTL would have it
    assert await snapshot.refresh() is None
    frozen_clock.advance(ctx.settings.attention.silent_after_s)
    ctx.cache.clear()
    assert await snapshot.refresh() is None  # a waiting session does not go silent or stale either
