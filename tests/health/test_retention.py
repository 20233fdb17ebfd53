"""Retention: hourly roll-ups of completed hours, pruning after raw_days / rollup_days,
and uptime / history that read roll-ups where raw results are gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, insert, select

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.health import store
from jarvis.health.models import CheckResult, Rollup
from jarvis.health.retention import prune, roll_up, run_retention

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)


async def add(ctx: AppContext, *results: tuple[datetime, str, float | None]) -> None:
    rows = [
        {"service": "good", "at": at, "status": status, "latency_ms": latency, "attempts": 1}
        for at, status, latency in results
    ]
    async with ctx.db.sessions() as session:
        await session.execute(insert(CheckResult), rows)
        await session.commit()


async def count(ctx: AppContext, model: type[CheckResult] | type[Rollup]) -> int:
    async with ctx.db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


def at(hours_ago: float, minute: int = 0) -> datetime:
    return store.floor_hour(NOW) - timedelta(hours=hours_ago) + timedelta(minutes=minute)


async def test_completed_hours_are_rolled_up_once(ctx: AppContext) -> None:
    await add(
        ctx,
        (at(2, 10), "healthy", 10.0),
        (at(2, 20), "degraded", 30.0),
        (at(2, 40), "offline", None),
        (at(1, 10), "healthy", 20.0),
        (at(0, 10), "healthy", 5.0),  # the current hour: not complete, not rolled up
    )
    assert await roll_up(ctx, now=NOW) == 2
    async with ctx.db.sessions() as session:
        rollups = (await session.execute(select(Rollup).order_by(Rollup.hour))).scalars().all()
        assert [store.aware(r.hour) for r in rollups] == [at(2), at(1)]
        first = rollups[0]
        assert (first.count, first.ok_count, first.degraded_count) == (3, 2, 1)
        assert (first.latency_avg_ms, first.latency_p50_ms, first.latency_p95_ms) == (20.0, 10.0, 30.0)
        assert await store.watermark(session) == at(0)
    assert await roll_up(ctx, now=NOW) == 0  # nothing new
    assert await count(ctx, CheckResult) == 5  # rolling up deletes nothing


async def test_an_hour_is_rolled_up_only_after_its_lag(ctx: AppContext) -> None:
    await add(ctx, (at(1, 50), "healthy", 1.0))
    assert await roll_up(ctx, now=store.floor_hour(NOW) + timedelta(minutes=2)) == 0
    assert await roll_up(ctx, now=store.floor_hour(NOW) + timedelta(minutes=6)) == 1


async def test_prune_never_drops_raw_results_that_are_not_rolled_up(ctx: AppContext) -> None:
    await add(ctx, (NOW - timedelta(days=45), "healthy", 1.0))
    assert await prune(ctx, now=NOW) == {"raw": 0, "rollups": 0}
    assert await count(ctx, CheckResult) == 1


async def test_retention_job_rolls_up_prunes_and_history_uses_rollups(
    ctx: AppContext, client: httpx.AsyncClient, frozen_clock: clock.FrozenClock
) -> None:
    frozen_clock.set(NOW)
    ctx.settings.retention.raw_days = 1
    ctx.settings.retention.rollup_days = 5
    await add(
        ctx,
        (at(24 * 3, 5), "healthy", 10.0),  # 3 days old: rolled up, raw pruned
        (at(24 * 3, 35), "offline", None),
        (at(24 * 6), "healthy", 10.0),  # 6 days old: rolled up, then the roll-up pruned too
        (at(3, 0), "healthy", 40.0),  # recent: rolled up, raw kept
        (at(0, 5), "healthy", 50.0),  # current hour: raw only
    )
    await run_retention(ctx)
    assert await count(ctx, CheckResult) == 2
    assert await count(ctx, Rollup) == 2  # 3 days ago and 3 hours ago
    async with ctx.db.sessions() as session:
        uptime = (await store.uptime(session, now=NOW))["good"]
    assert uptime == {"24h": 100.0, "7d": 75.0, "30d": 75.0}

    week = (await client.get("/api/services/good/history", params={"window": "7d"})).json()["data"]
    assert (week["checks"], week["up"], week["uptime"]) == (4, 3, 75.0)
    assert [p["count"] for p in week["points"]] == [2, 1, 1]
    assert (week["latency_p50_ms"], week["latency_basis"]) == (40.0, "raw")
    day = (await client.get("/api/services/good/history")).json()["data"]
    assert [p["latency_ms"] for p in day["points"]] == [40.0, 50.0]


async def test_latency_falls_back_to_rollups_when_raw_is_gone(
    ctx: AppContext, client: httpx.AsyncClient, frozen_clock: clock.FrozenClock
) -> None:
    frozen_clock.set(NOW)
    ctx.settings.retention.raw_days = 1
    await add(ctx, (at(48, 1), "healthy", 10.0), (at(48, 2), "healthy", 30.0), (at(47, 1), "healthy", 90.0))
    await run_retention(ctx)
    assert await count(ctx, CheckResult) == 0
    week = (await client.get("/api/services/good/history", params={"window": "30d"})).json()["data"]
    assert (week["checks"], week["uptime"], week["latency_basis"]) == (3, 100.0, "hourly")
    assert week["latency_p50_ms"] == 10.0 and week["latency_p95_ms"] == 90.0


async def test_uptime_is_exact_across_the_rollup_boundary(ctx: AppContext) -> None:
    """Windows that start mid-hour: the partial first hour comes from raw, the rest from roll-ups."""
    results = [(at(h, 30), "healthy" if h % 3 else "offline", 1.0) for h in range(1, 30)]
    await add(ctx, *results)
    async with ctx.db.sessions() as session:
        before = await store.uptime(session, now=NOW)
    await roll_up(ctx, now=NOW)
    async with ctx.db.sessions() as session:
        assert await store.watermark(session) == at(0)
        after = await store.uptime(session, now=NOW)
    assert before == after
    up = sum(1 for moment, status, _ in results if status != "offline" and moment >= NOW - timedelta(hours=24))
    total = sum(1 for moment, _, _ in results if moment >= NOW - timedelta(hours=24))
    assert after["good"]["24h"] == round(100 * up / total, 2)


async def test_prune_works_in_batches(ctx: AppContext) -> None:
    old = NOW - timedelta(days=40)
    await add(ctx, *[(old + timedelta(minutes=i), "healthy", 1.0) for i in range(5)])
    assert await roll_up(ctx, now=NOW) == 1
    assert await prune(ctx, now=NOW, batch=2) == {"raw": 5, "rollups": 0}
    assert await count(ctx, CheckResult) == 0 and await count(ctx, Rollup) == 1
