"""Retention: old raw points become hourly roll-ups (in batches), series read them, old roll-ups go."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.metrics.collector import RETENTION_JOB
from jarvis.metrics.models import MetricPoint, MetricRollup
from jarvis.metrics.retention import run_retention

OLD = [  # 2026-10-10 is 46 days before the frozen "now" (2026-11-25 12:00Z); raw_days defaults to 30
    ("2026-10-10T05:10:00Z", 2.0),
    ("2026-10-10T05:20:00Z", 4.0),
    ("2026-10-10T05:50:00Z", 9.0),
    ("2026-10-10T06:30:00Z", 10.0),
]


async def push_old(client: httpx.AsyncClient) -> None:
    points: list[dict[str, Any]] = [
        {"module": "music", "key": "revenue", "value": value, "timestamp": at} for at, value in OLD
    ]
    points.append({"module": "music", "key": "revenue", "value": 7.0, "timestamp": "2026-11-25T11:00:00Z"})
    assert (await client.post("/api/metrics", json={"points": points})).status_code == 201


async def table_count(ctx: AppContext, model: type[Any]) -> int:
    async with ctx.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def rollups(ctx: AppContext) -> list[tuple[str, int, float, float, float, float]]:
    async with ctx.db.sessions() as session:
        rows = (await session.scalars(select(MetricRollup).order_by(MetricRollup.hour))).all()
    return [(r.hour.isoformat(), r.count, r.sum, r.min, r.max, r.last) for r in rows]


EXPECTED = [
    ("2026-10-10T05:00:00+00:00", 3, 15.0, 2.0, 9.0, 9.0),
    ("2026-10-10T06:00:00+00:00", 1, 10.0, 10.0, 10.0, 10.0),
]


async def test_old_points_roll_up_hourly_and_series_read_the_rollups(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    await push_old(client)
    before = (await client.get("/api/metrics/music/revenue?window=60d&step=1d")).json()["data"]["points"]
    await ctx.runtime.run_once(RETENTION_JOB)
    assert ctx.runtime.jobs[RETENTION_JOB].failures == 0
    assert await table_count(ctx, MetricPoint) == 1  # only the recent point stays raw
    assert await rollups(ctx) == EXPECTED

    after = (await client.get("/api/metrics/music/revenue?window=60d&step=1d")).json()["data"]["points"]
    assert after == before  # the same figures, now read from roll-ups
    day = next(p for p in after if p["at"] == "2026-10-10T00:00:00Z")
    assert day == {"at": "2026-10-10T00:00:00Z", "avg": 25.0 / 4, "min": 2.0, "max": 10.0, "count": 4}
    hourly = (await client.get("/api/metrics/music/revenue?window=60d&step=1h")).json()["data"]["points"]
    five = next(p for p in hourly if p["at"] == "2026-10-10T05:00:00Z")
    assert five == {"at": "2026-10-10T05:00:00Z", "avg": 5.0, "min": 2.0, "max": 9.0, "count": 3}

    # The latest value is untouched by retention.
    music = (await client.get("/api/sections/business")).json()["data"]["modules"][0]
    assert music["metrics"]["revenue"]["value"] == 7.0


async def test_batches_that_split_an_hour_merge_into_the_same_rollup(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    await push_old(client)
    result = await run_retention(ctx.db.sessions, raw_days=30, rollup_days=400, batch=1, max_batches=2)
    assert result.rolled_up == 2 and result.batches == 2  # bounded per run …
    assert await table_count(ctx, MetricPoint) == 3
    result = await run_retention(ctx.db.sessions, raw_days=30, rollup_days=400, batch=1)
    assert result.rolled_up == 2  # … and the next run carries on
    assert await rollups(ctx) == EXPECTED
    assert await table_count(ctx, MetricPoint) == 1


async def test_rollups_past_their_retention_are_pruned(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    await push_old(client)
    await ctx.runtime.run_once(RETENTION_JOB)
    assert len(await rollups(ctx)) == 2
    frozen_clock.advance(380 * 86400)  # 2026-10-10 is now 426 days ago
    await ctx.runtime.run_once(RETENTION_JOB)
    # October's hours are gone; the November point (380 days old) was rolled up and kept.
    assert await rollups(ctx) == [("2026-11-25T11:00:00+00:00", 1, 7.0, 7.0, 7.0, 7.0)]
    assert await table_count(ctx, MetricPoint) == 0
