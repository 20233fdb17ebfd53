"""`GET /api/services/{name}/history`: points, uptime, latency percentiles and recent failures.

24 h is served from raw results; 7 d and 30 d are hourly, from roll-ups where the hour is
summarised (and raw may be gone) plus raw results for the hours not rolled up yet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.health import store
from jarvis.health.models import CheckResult, Rollup
from jarvis.health.retention import summarise
from jarvis.health.scheduler import Live

RAW_POINTS_MAX = 5000
FAILURES_SHOWN = 20


async def history(session: AsyncSession, *, live: Live, window: str) -> dict[str, Any]:
    name = live.spec.name
    now = clock.now()
    since = now - store.WINDOWS[window]
    mark = await store.watermark(session)
    count, up = (await store.counts(session, since=since, services=[name], mark=mark)).get(name, (0, 0))
    in_window = (CheckResult.service == name, CheckResult.at >= since)

    rows_ms = await session.execute(
        select(CheckResult.latency_ms).where(
            *in_window, CheckResult.status.in_(store.UP), CheckResult.latency_ms.is_not(None)
        )
    )
    latencies = sorted(value for (value,) in rows_ms if value is not None)
    basis: str | None = "raw" if latencies else None
    p50, p95 = store.percentile(latencies, 50), store.percentile(latencies, 95)

    if window == "24h":
        resolution = "raw"
        rows = await session.execute(
            select(CheckResult.at, CheckResult.status, CheckResult.latency_ms, CheckResult.http_status)
            .where(*in_window)
            .order_by(CheckResult.at.desc())
            .limit(RAW_POINTS_MAX)
        )
        points = [
            {"at": clock.iso(store.aware(at)), "status": status, "latency_ms": _round(latency), "http_status": code}
            for at, status, latency, code in reversed(rows.all())
        ]
    else:
        resolution = "1h"
        points = await _hourly(session, name=name, since=since, mark=mark)
        if basis is None:
            p50, p95, basis = _from_hours(points)

    failures = await session.execute(
        select(CheckResult.at, CheckResult.status, CheckResult.http_status, CheckResult.error)
        .where(*in_window, CheckResult.status != "healthy")
        .order_by(CheckResult.at.desc())
        .limit(FAILURES_SHOWN)
    )
    return {
        "name": name,
        "window": window,
        "since": clock.iso(since),
        "until": clock.iso(now),
        "status": live.status,
        "last_change": clock.iso(live.last_change),
        "checks": count,
        "up": up,
        "uptime": store.percent(count, up),
        "latency_p50_ms": p50,
        "latency_p95_ms": p95,
        "latency_basis": basis,
        "resolution": resolution,
        "points": points,
        "recent_failures": [
            {"at": clock.iso(store.aware(at)), "status": status, "http_status": code, "error": error}
            for at, status, code, error in failures
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


async def _hourly(session: AsyncSession, *, name: str, since: datetime, mark: datetime | None) -> list[dict[str, Any]]:
    hours: dict[datetime, dict[str, Any]] = {}
    start = store.floor_hour(since)
    if mark is not None:
        rolled = await session.execute(
            select(Rollup).where(Rollup.service == name, Rollup.hour >= start, Rollup.hour < mark)
        )
        for rollup in rolled.scalars():
            hours[store.aware(rollup.hour)] = {
                "count": rollup.count,
                "ok_count": rollup.ok_count,
                "degraded_count": rollup.degraded_count,
                "latency_avg_ms": rollup.latency_avg_ms,
                "latency_p50_ms": rollup.latency_p50_ms,
                "latency_p95_ms": rollup.latency_p95_ms,
            }
    raw_from = max(since, mark) if mark is not None else since
    raw = await session.execute(
        select(CheckResult.at, CheckResult.status, CheckResult.latency_ms).where(
            CheckResult.service == name, CheckResult.at >= raw_from
        )
    )
    buckets: dict[datetime, list[tuple[str, float | None]]] = defaultdict(list)
    for at, status, latency in raw:
        buckets[store.floor_hour(store.aware(at))].append((status, latency))
    for hour, rows in buckets.items():
        hours[hour] = summarise(rows)
    return [
        {"at": clock.iso(hour), "uptime": store.percent(data["count"], data["ok_count"]), **data}
        for hour, data in sorted(hours.items())
    ]


def _from_hours(points: list[dict[str, Any]]) -> tuple[float | None, float | None, str | None]:
    """Count-weighted percentiles of the hourly p50 / p95 when the raw results are gone."""

    def weighted(key: str, q: float) -> float | None:
        pairs = sorted((p[key], p["ok_count"]) for p in points if p[key] is not None and p["ok_count"])
        total = sum(weight for _, weight in pairs)
        if not total:
            return None
        running = 0
        for value, weight in pairs:
            running += weight
            if running >= q / 100 * total:
                return float(value)
        return float(pairs[-1][0])

    p50, p95 = weighted("latency_p50_ms", 50), weighted("latency_p95_ms", 95)
    return p50, p95, "hourly" if p50 is not None else None
