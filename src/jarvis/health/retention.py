"""Retention: roll raw results up by hour, prune raw after `raw_days`, roll-ups after `rollup_days`.

Every completed hour is rolled up a few minutes after it ends (not only when raw results
expire), so uptime over 7 d / 30 d reads a few hundred roll-up rows instead of every raw
result, and history beyond `raw_days` still has its hours. Work goes one hour (or one
delete batch) per transaction, yielding in between, so requests never wait behind it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.db import upsert
from jarvis.health import store
from jarvis.health.models import CheckResult, Rollup

LAG = timedelta(minutes=5)  # results of an hour may still be in the write buffer just after it
HOUR = timedelta(hours=1)


def summarise(rows: list[tuple[str, float | None]]) -> dict[str, Any]:
    """(status, latency) pairs of one hour → the roll-up's figures."""
    latencies = sorted(latency for status, latency in rows if latency is not None and status in store.UP)
    return {
        "count": len(rows),
        "ok_count": sum(1 for status, _ in rows if status in store.UP),
        "degraded_count": sum(1 for status, _ in rows if status == "degraded"),
        "latency_avg_ms": round(sum(latencies) / len(latencies), 1) if latencies else None,
        "latency_p50_ms": store.percentile(latencies, 50),
        "latency_p95_ms": store.percentile(latencies, 95),
    }


async def roll_up_hour(session: AsyncSession, hour: datetime) -> int:
    rows = await session.execute(
        select(CheckResult.service, CheckResult.status, CheckResult.latency_ms).where(
            CheckResult.at >= hour, CheckResult.at < hour + HOUR
        )
    )
    per_service: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for service, status, latency in rows:
        per_service[service].append((status, latency))
    if not per_service:
        return 0
    values = [{"service": name, "hour": hour, **summarise(items)} for name, items in per_service.items()]
    statement = upsert(session, Rollup).values(values)
    columns = ("count", "ok_count", "degraded_count", "latency_avg_ms", "latency_p50_ms", "latency_p95_ms")
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["service", "hour"], set_={name: statement.excluded[name] for name in columns}
        )
    )
    return len(values)


async def roll_up(ctx: AppContext, *, now: datetime, max_hours: int = 200) -> int:
    """Roll up completed hours after the watermark, one hour per transaction; returns hours done."""
    done = 0
    async with ctx.db.sessions() as session:
        mark = await store.watermark(session)
        while done < max_hours:
            query = select(func.min(CheckResult.at))
            if mark is not None:
                query = query.where(CheckResult.at >= mark)
            first = (await session.execute(query)).scalar_one_or_none()
            if first is None:
                break
            hour = store.floor_hour(store.aware(first))
            if hour + HOUR > now - LAG:
                break
            await roll_up_hour(session, hour)
            await session.commit()
            mark = hour + HOUR
            done += 1
            await asyncio.sleep(0)
    return done


async def prune(ctx: AppContext, *, now: datetime, batch: int = 5000) -> dict[str, int]:
    """Delete raw results past `raw_days` (only once rolled up) and roll-ups past `rollup_days`."""
    retention = ctx.settings.retention
    removed = {"raw": 0, "rollups": 0}
    async with ctx.db.sessions() as session:
        mark = await store.watermark(session)
        if mark is not None:
            cut = min(now - timedelta(days=retention.raw_days), mark)
            removed["raw"] = await _delete_batches(session, CheckResult, CheckResult.at < cut, batch)
        rollup_cut = now - timedelta(days=retention.rollup_days)
        removed["rollups"] = await _delete_batches(session, Rollup, Rollup.hour < rollup_cut, batch)
    return removed


async def _delete_batches(session: AsyncSession, model: Any, condition: Any, batch: int) -> int:
    """Delete in bounded chunks, committing each, so no transaction holds the table for long."""
    total = 0
    # Raw results go by id; roll-ups by whole hours (one hour holds one row per service).
    key = CheckResult.id if model is CheckResult else Rollup.hour
    limit = batch if model is CheckResult else max(1, batch // 500)
    while True:
        query = select(key).where(condition).limit(limit)
        if model is Rollup:
            query = query.distinct()
        chunk = [row[0] for row in await session.execute(query)]
        if not chunk:
            return total
        deleted = await session.execute(delete(model).where(key.in_(chunk)))
        await session.commit()
        total += int(getattr(deleted, "rowcount", 0) or 0)
        if len(chunk) < limit:
            return total
        await asyncio.sleep(0)


async def run_retention(ctx: AppContext) -> None:
    """The background job: roll up, then prune."""
    now = clock.now()
    hours = await roll_up(ctx, now=now)
    removed = await prune(ctx, now=now)
    if hours or removed["raw"] or removed["rollups"]:
        ctx.mark_changed("health")
