"""Metrics services: accept a pushed batch, and build the dashboard's `business` section.

The section reads only the small read models (latest value per key, last value per day,
pull-source state), never the raw series, so it costs the same with a year of points.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.metrics import ingest, store
from jarvis.metrics.models import MetricLatest, MetricSourceState
from jarvis.metrics.modules import canonical, registry
from jarvis.metrics.schemas import PointIn

HISTORY_DAYS = 7
# Pushed data says nothing of health; a module whose newest point is this recent counts as active.
PUSH_FRESH = timedelta(hours=24)
HEALTH_ORDER = {"offline": 3, "degraded": 2, "unknown": 1, "healthy": 0}


async def push(ctx: AppContext, points: Sequence[PointIn], *, source: str = "push") -> int:
    """Store a validated batch (all of it or none) through the group-commit writer; answered once committed,
    then the dashboard and the hub are told (`ingest.py`)."""
    now = clock.now()
    rows = [
        store.NewPoint(p.module, p.key, p.value, (p.timestamp or now).astimezone(UTC), source, {**p.labels})
        for p in points
    ]
    return await ctx.writer.submit(ingest.batcher_of(ctx), ingest.Batch(rows, source))


def _history(days: dict[date, float], today: date) -> list[float | None]:
    return [days.get(today - timedelta(days=offset)) for offset in range(HISTORY_DAYS - 1, -1, -1)]


def _module_state(
    latest: dict[str, MetricLatest],
    sources: list[MetricSourceState],
    configured: list[str],
    now: datetime,
) -> dict[str, Any]:
    newest = max((row.at for row in latest.values()), default=None)
    errors = [f"{s.name}: {s.error}" for s in sources if s.error]
    failing = [s for s in sources if s.error and (s.last_ok_at is None or (s.last_attempt_at or now) > s.last_ok_at)]
    reported = [s.health for s in sources if s.health]
    uptimes = [s.uptime for s in sources if s.uptime is not None]
    if configured:
        if failing:
            health = "offline"
        elif reported:
            health = max(reported, key=lambda h: HEALTH_ORDER.get(h, 1))
        elif any(s.last_ok_at for s in sources):
            health = "healthy"
        else:
            health = "unknown"  # configured, never polled yet
    else:
        health = "healthy" if newest is not None and now - newest <= PUSH_FRESH else "unknown"
    if failing:
        status = "error"
    elif newest is None:
        status = "no_data"
    elif now - newest > PUSH_FRESH:
        status = "stale"
    else:
        status = "active"
    if configured:
        source: str | None = ", ".join(configured)
    else:
        source = ", ".join(sorted({row.source for row in latest.values()})) or None
    return {
        "health": health,
        "status": status,
        "uptime": min(uptimes) if uptimes else None,
        "source": source,
        "updated_at": clock.iso(newest),
        "error": "; ".join(errors) or None,
    }


async def dashboard_section(ctx: AppContext) -> dict[str, Any]:
    """The `business` section: every module, its latest values with their age, 7 daily values."""
    now = clock.now()
    today = now.date()
    async with ctx.db.sessions() as session:
        latest_rows = await store.latest_values(session)
        daily_rows = await store.daily_values(session, since=today - timedelta(days=HISTORY_DAYS - 1))
        states = await store.source_states(session)
    latest = store.series_keys(latest_rows)
    daily: dict[tuple[str, str], dict[date, float]] = {}
    for day_row in daily_rows:
        daily.setdefault((day_row.module, day_row.key), {})[day_row.day] = day_row.value
    configured: dict[str, list[str]] = {}
    for source in ctx.settings.metrics.sources:
        configured.setdefault(canonical(source.module), []).append(source.name)
    modules = []
    for module in registry(ctx.settings).values():
        names = configured.get(module.id, [])
        mine = latest.get(module.id, {})
        state = _module_state(mine, [s for s in states if s.name in names], names, now)
        keys = list(module.keys) + sorted(k for k in mine if k not in module.keys)
        metrics = {}
        for key in keys:
            row = mine.get(key)
            metrics[key] = {
                "value": row.value if row else None,
                "updated_at": clock.iso(row.at) if row else None,
                "history": _history(daily.get((module.id, key), {}), today),
            }
        modules.append({"id": module.id, "name": module.name, "priority": module.priority, **state, "metrics": metrics})
    return {"modules": modules, "timestamp": clock.iso(now)}


async def catalogue(ctx: AppContext, session: AsyncSession) -> list[dict[str, Any]]:
    """`GET /api/metrics`: the modules, their keys and each key's latest value."""
    latest = store.series_keys(await store.latest_values(session))
    result = []
    for module in registry(ctx.settings).values():
        mine = latest.get(module.id, {})
        keys = list(module.keys) + sorted(k for k in mine if k not in module.keys)
        result.append(
            {
                "id": module.id,
                "name": module.name,
                "priority": module.priority,
                "keys": [
                    {
                        "key": key,
                        "declared": key in module.keys,
                        "value": mine[key].value if key in mine else None,
                        "updated_at": clock.iso(mine[key].at) if key in mine else None,
                        "source": mine[key].source if key in mine else None,
                    }
                    for key in keys
                ],
            }
        )
    return result
