"""Reads and writes of check results, current state and API-defined services.

Every function takes the session as a keyword argument and leaves committing to the caller,
except `write_batch`, which is one transaction for a whole batch of results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core.db import upsert
from jarvis.health.checks import Outcome
from jarvis.health.models import CheckResult, Rollup, ServiceRow, ServiceState
from jarvis.health.specs import ServiceSpec, from_config
from jarvis.settings import ServiceConfig

WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
UP = ("healthy", "degraded")


@dataclass(slots=True)
class StateRow:
    service: str
    status: str
    last_checked: datetime
    last_change: datetime
    latency_ms: float | None
    http_status: int | None
    error: str | None


def result_row(service: str, outcome: Outcome) -> dict[str, Any]:
    return {
        "service": service,
        "at": outcome.at,
        "status": outcome.status,
        "latency_ms": outcome.latency_ms,
        "http_status": outcome.http_status,
        "error": outcome.error[:300] if outcome.error else None,
        "attempts": outcome.attempts,
    }


async def write_batch(session: AsyncSession, results: Sequence[dict[str, Any]], states: Sequence[StateRow]) -> None:
    """All results and state changes of one flush in one transaction."""
    if results:
        await session.execute(insert(CheckResult), list(results))
    if states:
        rows = [
            {
                "service": s.service,
                "status": s.status,
                "last_checked": s.last_checked,
                "last_change": s.last_change,
                "latency_ms": s.latency_ms,
                "http_status": s.http_status,
                "error": s.error[:300] if s.error else None,
            }
            for s in states
        ]
        statement = upsert(session, ServiceState)
        columns = ("status", "last_checked", "last_change", "latency_ms", "http_status", "error")
        # executemany with one cached statement, rather than compiling a VALUES list per batch
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["service"], set_={name: statement.excluded[name] for name in columns}
            ),
            rows,
        )
    await session.commit()


async def load_states(session: AsyncSession) -> dict[str, StateRow]:
    rows = (await session.execute(select(ServiceState))).scalars().all()
    return {
        r.service: StateRow(r.service, r.status, r.last_checked, r.last_change, r.latency_ms, r.http_status, r.error)
        for r in rows
    }


async def load_recent(
    session: AsyncSession, *, per_service: int
) -> dict[str, list[tuple[datetime, str, float | None]]]:
    """The last `per_service` results of every service, oldest first (for a restart)."""
    ranked = select(
        CheckResult.service,
        CheckResult.at,
        CheckResult.status,
        CheckResult.latency_ms,
        func.row_number().over(partition_by=CheckResult.service, order_by=CheckResult.at.desc()).label("rank"),
    ).subquery()
    rows = await session.execute(
        select(ranked.c.service, ranked.c.at, ranked.c.status, ranked.c.latency_ms)
        .where(ranked.c.rank <= per_service)
        .order_by(ranked.c.service, ranked.c.at)
    )
    recent: dict[str, list[tuple[datetime, str, float | None]]] = {}
    for service, at, status, latency in rows:
        recent.setdefault(service, []).append((aware(at), status, latency))
    return recent


async def delete_service_data(session: AsyncSession, *, name: str) -> None:
    for model in (CheckResult, Rollup):
        await session.execute(delete(model).where(model.service == name))
    await session.execute(delete(ServiceState).where(ServiceState.service == name))
    await session.execute(delete(ServiceRow).where(ServiceRow.name == name))


# --- uptime ---------------------------------------------------------------------------------


def aware(moment: datetime) -> datetime:
    """Aggregates and subqueries may skip the column type on SQLite: put the zone back."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def ceil_hour(moment: datetime) -> datetime:
    floor = floor_hour(moment)
    return floor if floor == moment else floor + timedelta(hours=1)


async def watermark(session: AsyncSession) -> datetime | None:
    """The first hour not rolled up yet: results before it are summarised in `health_rollups`."""
    last = (await session.execute(select(func.max(Rollup.hour)))).scalar_one_or_none()
    if last is None:
        return None
    return aware(last) + timedelta(hours=1)


def raw_condition(since: datetime, mark: datetime | None) -> Any:
    """Raw results that the roll-ups do not already cover, from `since` on."""
    if mark is None:
        return CheckResult.at >= since
    return and_(CheckResult.at >= since, or_(CheckResult.at < min(ceil_hour(since), mark), CheckResult.at >= mark))


async def counts(
    session: AsyncSession, *, since: datetime, services: Iterable[str] | None = None, mark: datetime | None = None
) -> dict[str, tuple[int, int]]:
    """(checks, up) per service since `since`: roll-ups for summarised hours, raw for the rest."""
    names = list(services) if services is not None else None
    totals: dict[str, list[int]] = {}
    up = func.sum(case((CheckResult.status.in_(UP), 1), else_=0))
    raw = select(CheckResult.service, func.count(), up).where(raw_condition(since, mark))
    if names is not None:
        raw = raw.where(CheckResult.service.in_(names))
    for service, count, ok in await session.execute(raw.group_by(CheckResult.service)):
        totals.setdefault(service, [0, 0])
        totals[service][0] += int(count)
        totals[service][1] += int(ok or 0)
    if mark is not None and ceil_hour(since) < mark:
        rolled = (
            select(Rollup.service, func.sum(Rollup.count), func.sum(Rollup.ok_count))
            .where(Rollup.hour >= ceil_hour(since), Rollup.hour < mark)
            .group_by(Rollup.service)
        )
        if names is not None:
            rolled = rolled.where(Rollup.service.in_(names))
        for service, count, ok in await session.execute(rolled):
            totals.setdefault(service, [0, 0])
            totals[service][0] += int(count or 0)
            totals[service][1] += int(ok or 0)
    return {service: (count, ok) for service, (count, ok) in totals.items()}


def percent(count: int, ok: int) -> float | None:
    return round(100.0 * ok / count, 2) if count else None


async def uptime(
    session: AsyncSession, *, now: datetime, services: Iterable[str] | None = None
) -> dict[str, dict[str, float | None]]:
    """Uptime % per service over 24h/7d/30d (`null` where a window holds no check)."""
    names = list(services) if services is not None else None
    mark = await watermark(session)
    result: dict[str, dict[str, float | None]] = {}
    for label, span in WINDOWS.items():
        for service, (count, ok) in (await counts(session, since=now - span, services=names, mark=mark)).items():
            result.setdefault(service, dict.fromkeys(WINDOWS))[label] = percent(count, ok)
    return result


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of already sorted values (`null` for none)."""
    if not values:
        return None
    rank = max(1, math.ceil(q / 100 * len(values)))
    return round(values[rank - 1], 1)


async def load_api_specs(session: AsyncSession) -> list[ServiceSpec]:
    """The services added through the API, as the scheduler runs them."""
    rows = (await session.execute(select(ServiceRow).order_by(ServiceRow.name))).scalars().all()
    return [from_config(ServiceConfig.model_validate(row.config), "api") for row in rows]
