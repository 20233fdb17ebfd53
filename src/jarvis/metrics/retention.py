"""Retention: raw points older than `retention.raw_days` become hourly roll-ups, then go.

Runs in small batches, each its own short transaction, so requests interleave with it
(on SQLite a long write transaction would block every writer). Roll-ups merge with what
an earlier batch already wrote for the same hour (count and sum add, min/max widen, the
later `last` wins), so a batch may split an hour anywhere. Roll-ups and daily values
older than `retention.rollup_days` are deleted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jarvis.core import clock
from jarvis.core.db import upsert
from jarvis.metrics.models import MetricDaily, MetricPoint, MetricRollup

BATCH = 5000
MAX_BATCHES = 200  # per run; the next run carries on


@dataclass(slots=True)
class RetentionResult:
    rolled_up: int = 0
    batches: int = 0
    rollups_pruned: int = 0
    daily_pruned: int = 0


@dataclass(slots=True)
class Hour:
    count: int
    total: float
    low: float
    high: float
    last: float
    last_at: datetime


async def _roll_batch(session: AsyncSession, cutoff: datetime, batch: int) -> int:
    rows = (
        await session.execute(
            select(MetricPoint.id, MetricPoint.module, MetricPoint.key, MetricPoint.at, MetricPoint.value)
            .where(MetricPoint.at < cutoff)
            .order_by(MetricPoint.at, MetricPoint.id)
            .limit(batch)
        )
    ).all()
    if not rows:
        return 0
    hours: dict[tuple[str, str, datetime], Hour] = {}
    for _id, module, key, at, value in rows:
        slot = (module, key, at.replace(minute=0, second=0, microsecond=0))
        hour = hours.get(slot)
        if hour is None:
            hours[slot] = Hour(1, value, value, value, value, at)
            continue
        hour.count += 1
        hour.total += value
        hour.low = min(hour.low, value)
        hour.high = max(hour.high, value)
        if at >= hour.last_at:
            hour.last, hour.last_at = value, at
    table = MetricRollup.__table__
    stmt = upsert(session, MetricRollup).values(
        [
            {
                "module": module,
                "key": key,
                "hour": start,
                "count": h.count,
                "sum": h.total,
                "min": h.low,
                "max": h.high,
                "last": h.last,
                "last_at": h.last_at,
            }
            for (module, key, start), h in hours.items()
        ]
    )
    new = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["module", "key", "hour"],
        set_={
            "count": table.c.count + new.count,
            "sum": table.c.sum + new.sum,
            "min": case((new.min < table.c.min, new.min), else_=table.c.min),
            "max": case((new.max > table.c.max, new.max), else_=table.c.max),
            "last": case((new.last_at >= table.c.last_at, new.last), else_=table.c.last),
            "last_at": case((new.last_at >= table.c.last_at, new.last_at), else_=table.c.last_at),
        },
    )
    await session.execute(stmt)
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), 500):  # bounded IN lists
        await session.execute(delete(MetricPoint).where(MetricPoint.id.in_(ids[start : start + 500])))
    return len(rows)


async def run_retention(
    sessions: async_sessionmaker[AsyncSession],
    *,
    raw_days: int,
    rollup_days: int,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> RetentionResult:
    """One pass: roll up and prune in batches, then drop roll-ups past their retention."""
    now = clock.now()
    cutoff = now - timedelta(days=raw_days)
    result = RetentionResult()
    while result.batches < max_batches:
        async with sessions() as session:
            done = await _roll_batch(session, cutoff, batch)
            await session.commit()
        if not done:
            break
        result.rolled_up += done
        result.batches += 1
        if done < batch:
            break
        await asyncio.sleep(0)  # let requests in between batches
    rollup_cutoff = now - timedelta(days=rollup_days)
    async with sessions() as session:
        pruned = await session.execute(delete(MetricRollup).where(MetricRollup.hour < rollup_cutoff))
        daily = await session.execute(delete(MetricDaily).where(MetricDaily.day < rollup_cutoff.date()))
        await session.commit()
    result.rollups_pruned = int(getattr(pruned, "rowcount", 0) or 0)
    result.daily_pruned = int(getattr(daily, "rowcount", 0) or 0)
    return result
