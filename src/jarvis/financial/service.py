"""Financial services: store snapshots (upsert per period, merging fields) and build the
dashboard's `financial` section from the effective inputs of the current period.

Effective inputs of a period = `[financial]` settings, overridden field by field by that
period's snapshot. The current period is the latest snapshot's (a month with no snapshot
yet still shows the last one entered), or this month when there is none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.costs import service as costs
from jarvis.financial.fields import COUNT_FIELDS, INPUT_FIELDS
from jarvis.financial.formulas import compute
from jarvis.financial.models import FinancialSnapshot
from jarvis.settings import FinancialSettings

SEED_KEYS = ("mrr", "arr", "customers", "revenue_today", "revenue_this_month", "cac", "ltv", "burn_rate")


def current_period(now: datetime) -> str:
    return f"{now.year:04d}-{now.month:02d}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def snapshot_public(row: FinancialSnapshot) -> dict[str, Any]:
    data: dict[str, Any] = {"period": row.period}
    data.update({name: getattr(row, name) for name in INPUT_FIELDS})
    data.update(source=row.source, created_at=clock.iso(row.created_at), updated_at=clock.iso(row.updated_at))
    return data


async def upsert_snapshot(
    session: AsyncSession, *, period: str, values: Mapping[str, float | int | None], source: str
) -> tuple[FinancialSnapshot, bool]:
    """Merge `values` into the period's row (created if new); caller commits. Returns (row, created)."""
    now = clock.now()
    row = await session.get(FinancialSnapshot, period)
    created = row is None
    if row is None:
        row = FinancialSnapshot(period=period, source=source, created_at=now)
        session.add(row)
    for name, value in values.items():
        if name in COUNT_FIELDS and value is not None:
            value = int(value)
        setattr(row, name, value)
    row.source = source
    row.updated_at = now
    return row, created


async def list_snapshots(session: AsyncSession, *, limit: int = 120) -> list[FinancialSnapshot]:
    rows = await session.scalars(select(FinancialSnapshot).order_by(FinancialSnapshot.period.desc()).limit(limit))
    return list(rows.all())


def notify(ctx: AppContext, *, periods: list[str], source: str) -> None:
    ctx.hub.publish("financial.updated", {"periods": periods, "source": source})
    ctx.mark_changed("financial")


def effective_inputs(
    standing: FinancialSettings, snapshot: FinancialSnapshot | None
) -> tuple[dict[str, float | None], dict[str, str]]:
    """The inputs of one period and where each came from (`snapshot` or `settings`)."""
    values: dict[str, float | None] = {}
    origins: dict[str, str] = {}
    for name in INPUT_FIELDS:
        from_snapshot = getattr(snapshot, name) if snapshot is not None else None
        from_settings = getattr(standing, name)
        if from_snapshot is not None:
            values[name], origins[name] = float(from_snapshot), "snapshot"
        elif from_settings is not None:
            values[name], origins[name] = float(from_settings), "settings"
        else:
            values[name] = None
    return values, origins


async def dashboard_section(ctx: AppContext) -> dict[str, Any]:
    """The `financial` section: the seed's flat keys, every figure with its inputs and trend."""
    now = clock.now()
    this_month = current_period(now)
    async with ctx.db.sessions() as session:
        latest = await session.scalar(
            select(FinancialSnapshot)
            .where(FinancialSnapshot.period <= this_month)
            .order_by(FinancialSnapshot.period.desc())
            .limit(1)
        )
        period = latest.period if latest is not None else this_month
        before = await session.get(FinancialSnapshot, previous_period(period))
        spent = await costs.daily_spend(session=session, since=now.date().replace(day=1))  # this month's days
    ai_spend = round(sum(spent.values()), 6) if spent else None  # None: no telemetry this month
    ai_today = spent.get(now.date())
    standing = ctx.settings.financial
    inputs, origins = effective_inputs(standing, latest)
    figures = compute(inputs, ai_spend=ai_spend if period == this_month else None)
    previous = compute(effective_inputs(standing, before)[0]) if before is not None else {}
    figure_data = {name: figure.as_dict(previous.get(name)) for name, figure in figures.items()}

    sources = []
    if latest is not None:
        sources.append(f"snapshot {latest.period} ({latest.source})")
    if "settings" in origins.values():
        sources.append("[financial] settings")
    section: dict[str, Any] = {name: figures[name].value for name in SEED_KEYS}
    if section["customers"] is not None:
        section["customers"] = int(section["customers"])
    section["runway_months"] = figures["runway_months"].value
    section["ai_spend_this_month"] = figures["ai_spend_this_month"].value
    section["ai_spend_pct_of_mrr"] = figures["ai_spend_pct_of_mrr"].value
    section["ai_spend_today"] = ai_today
    section.update(
        calculation_source=" + ".join(sources) or None,
        last_updated=clock.iso(latest.updated_at) if latest is not None else None,
        period=period,
        previous_period=before.period if before is not None else None,
        inputs={name: {"value": inputs[name], "source": origins.get(name)} for name in INPUT_FIELDS},
        figures=figure_data,
        timestamp=clock.iso(now),
    )
    return section
