"""Writes and reads of the metric tables (plain functions, keyword-only session).

A write inserts the raw points and moves the two read models forward (`metric_latest`,
`metric_daily`) with one portable `INSERT … ON CONFLICT DO UPDATE … WHERE newer`, so
concurrent writers and late points never move a value backwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core.db import upsert
from jarvis.metrics.models import MetricDaily, MetricLatest, MetricPoint, MetricSourceState


@dataclass(slots=True)
class NewPoint:
    module: str
    key: str
    value: float
    at: datetime
    source: str
    labels: dict[str, str] = field(default_factory=dict)


async def record_points(session: AsyncSession, points: Sequence[NewPoint]) -> None:
    """Store a batch (caller commits): raw rows, then the latest and daily read models."""
    if not points:
        return
    await session.execute(
        insert(MetricPoint.metadata.tables[MetricPoint.__tablename__]),  # Core insert: no ORM bookkeeping
        [
            {
                "module": p.module,
                "key": p.key,
                "value": p.value,
                "at": p.at,
                "labels": p.labels or None,
                "source": p.source,
            }
            for p in points
        ],
    )
    latest: dict[tuple[str, str], NewPoint] = {}
    daily: dict[tuple[str, str, date], NewPoint] = {}
    for p in points:
        if (p.module, p.key) not in latest or latest[(p.module, p.key)].at <= p.at:
            latest[(p.module, p.key)] = p
        day_key = (p.module, p.key, p.at.date())
        if day_key not in daily or daily[day_key].at <= p.at:
            daily[day_key] = p

    latest_table = MetricLatest.__table__
    stmt = upsert(session, MetricLatest).values(
        [
            {"module": m, "key": k, "value": p.value, "at": p.at, "source": p.source}
            for (m, k), p in sorted(latest.items())  # key order: concurrent writers lock rows alike
        ]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["module", "key"],
        set_={"value": stmt.excluded.value, "at": stmt.excluded.at, "source": stmt.excluded.source},
        where=latest_table.c.at <= stmt.excluded.at,
    )
    await session.execute(stmt)

    daily_table = MetricDaily.__table__
    stmt = upsert(session, MetricDaily).values(
        [{"module": m, "key": k, "day": d, "value": p.value, "at": p.at} for (m, k, d), p in sorted(daily.items())]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["module", "key", "day"],
        set_={"value": stmt.excluded.value, "at": stmt.excluded.at},
        where=daily_table.c.at <= stmt.excluded.at,
    )
    await session.execute(stmt)


async def latest_values(session: AsyncSession) -> list[MetricLatest]:
    return list((await session.scalars(select(MetricLatest))).all())


async def daily_values(session: AsyncSession, *, since: date) -> list[MetricDaily]:
    return list((await session.scalars(select(MetricDaily).where(MetricDaily.day >= since))).all())


async def source_states(session: AsyncSession) -> list[MetricSourceState]:
    return list((await session.scalars(select(MetricSourceState))).all())


async def save_source_state(
    session: AsyncSession,
    *,
    name: str,
    module: str,
    at: datetime,
    ok: bool,
    health: str | None,
    uptime: float | None,
    error: str | None,
) -> None:
    """Remember a poll's outcome; a failed poll keeps the last known health and uptime."""
    state = await session.get(MetricSourceState, name)
    if state is None:
        state = MetricSourceState(name=name, module=module)
        session.add(state)
    state.module = module
    state.last_attempt_at = at
    state.error = error[:500] if error else None
    if ok:
        state.last_ok_at = at
        state.health = health
        state.uptime = uptime


def series_keys(rows: Iterable[MetricLatest]) -> dict[str, dict[str, MetricLatest]]:
    by_module: dict[str, dict[str, MetricLatest]] = {}
    for row in rows:
        by_module.setdefault(row.module, {})[row.key] = row
    return by_module
