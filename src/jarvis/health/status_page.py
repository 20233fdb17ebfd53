"""What the public status page shows: chosen names, status, 90 days of daily uptime, current incidents
and maintenance.

Nothing of the checks themselves (no target, no error text, no latency): the page is for customers and
teammates without an account. Daily uptime comes from the hourly roll-ups, plus the raw results of the
hours not rolled up yet; the whole page is computed at most once a minute (`PAGE_TTL_S`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.health import store
from jarvis.health.models import CheckResult, Rollup
from jarvis.health.scheduler import SCHEDULER, Live

DAYS = 90
PAGE_TTL_S = 60.0
PAGE_KEY = "health:status-page"


def _listed(ctx: AppContext, services: dict[str, Live]) -> list[Live]:
    chosen = ctx.settings.status_page.services
    if chosen:
        return [services[name] for name in chosen if name in services]
    return [live for live in services.values() if live.spec.source != "default"]


async def _daily(ctx: AppContext, names: list[str], *, since: datetime) -> dict[str, dict[date, list[int]]]:
    """(checks, up) per service per UTC day since `since`."""
    days: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    async with ctx.db.sessions() as session:
        mark = await store.watermark(session)
        if mark is not None:
            rolled = select(Rollup.service, Rollup.hour, Rollup.count, Rollup.ok_count).where(
                Rollup.service.in_(names), Rollup.hour >= since, Rollup.hour < mark
            )
            for name, hour, count, ok in await session.execute(rolled):
                day = days[name][store.aware(hour).date()]
                day[0], day[1] = day[0] + count, day[1] + ok
        raw = select(CheckResult.service, CheckResult.at, CheckResult.status).where(
            CheckResult.service.in_(names), CheckResult.at >= max(since, mark) if mark else CheckResult.at >= since
        )
        for name, at, status in await session.execute(raw):
            day = days[name][store.aware(at).date()]
            day[0], day[1] = day[0] + 1, day[1] + (status in store.UP)
    return days


async def compute(ctx: AppContext) -> dict[str, Any]:
    settings = ctx.settings.status_page
    scheduler = ctx.extras[SCHEDULER]
    await scheduler.ensure_loaded()
    listed = _listed(ctx, scheduler.services)
    now = clock.now()
    today = now.date()
    since = datetime.combine(today - timedelta(days=DAYS - 1), datetime.min.time(), tzinfo=now.tzinfo)
    daily = await _daily(ctx, [live.spec.name for live in listed], since=since)
    services = []
    for live in listed:
        days = daily.get(live.spec.name, {})
        bars = []
        total = [0, 0]
        for offset in range(DAYS):
            day = today - timedelta(days=DAYS - 1 - offset)
            count, ok = days.get(day, [0, 0])
            total[0], total[1] = total[0] + count, total[1] + ok
            bars.append({"date": day.isoformat(), "uptime": store.percent(count, ok)})
        services.append(
            {
                "name": live.spec.name,
                "label": settings.labels.get(live.spec.name, live.spec.name),
                "status": live.status,
                "since": clock.iso(live.last_change),
                "maintenance_until": clock.iso(live.maintenance_until),
                "uptime_90d": store.percent(total[0], total[1]),
                "days": bars,
            }
        )
    incidents = [s for s in services if s["status"] in ("offline", "degraded") and not s["maintenance_until"]]
    planned = [s for s in services if s["maintenance_until"]]
    return {
        "title": settings.title,
        "services": services,
        "incidents": incidents,
        "maintenance": planned,
        "updated_at": clock.iso(now),
    }


async def status_page(ctx: AppContext) -> dict[str, Any]:
    lookup = await ctx.cache.get_or_compute(PAGE_KEY, PAGE_TTL_S, lambda: compute(ctx))
    page: dict[str, Any] = lookup.value
    return page
