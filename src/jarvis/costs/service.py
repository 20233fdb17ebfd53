"""Reading what sessions cost: per instance (for the instances list) and grouped (`/api/costs`).

One source per session, never both: Claude Code reports the same spend twice, as metrics
(`claude_code.cost.usage`, `claude_code.token.usage`) and as `claude_code.api_request` events. The
events carry per-request detail, so a session with any api_request event is counted from its events;
a session without is counted from its metrics. Unknown is `None`, never 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Literal, get_args

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core.errors import ValidationFailed
from jarvis.costs.models import CostMetricPoint, CostRequest, CostSession
from jarvis.costs.store import TOKEN_KINDS

GroupBy = Literal["session", "host", "model", "day"]
GROUPS: tuple[str, ...] = get_args(GroupBy)
TOKEN_NAMES = ("input", "output", "cache_read", "cache_creation")


def _tokens(values: Iterable[float]) -> dict[str, int]:
    return {name: int(round(value)) for name, value in zip(TOKEN_NAMES, values, strict=True)}


def usage_of(row: CostSession) -> dict[str, Any]:
    """`{"cost_usd", "tokens", "source"}` of one session's row (the source rule above)."""
    if row.requests:
        tokens = (row.r_input, row.r_output, row.r_cache_read, row.r_cache_creation)
        return {"cost_usd": round(row.r_cost, 6), "tokens": _tokens(tokens), "source": "events"}
    cost = round(row.m_cost, 6) if row.m_cost_points else None
    tokens_m = (row.m_input, row.m_output, row.m_cache_read, row.m_cache_creation)
    return {"cost_usd": cost, "tokens": _tokens(tokens_m) if row.m_token_points else None, "source": "metrics"}


async def session_usage(*, session: AsyncSession, session_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each known session's cost and tokens, in one query, whatever the number of sessions."""
    ids = sorted({sid for sid in session_ids if sid})
    if not ids:
        return {}
    result: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        rows = await session.scalars(select(CostSession).where(CostSession.session_id.in_(ids[start : start + 500])))
        result.update({row.session_id: usage_of(row) for row in rows})
    return result


UNKNOWN_USAGE: dict[str, Any] = {"cost_usd": None, "tokens": None}


def check_group(group_by: str) -> GroupBy:
    if group_by not in GROUPS:
        raise ValidationFailed(
            f"`group_by` must be one of {', '.join(GROUPS)} (got `{group_by[:40]}`).",
            details=[{"field": "group_by", "problem": f"must be one of {', '.join(GROUPS)}"}],
        )
    return group_by  # type: ignore[return-value]


def _column(model: Any, group_by: GroupBy) -> Any:
    if group_by == "session":
        return func.coalesce(model.session_id, "")
    return {"host": model.host, "model": model.model, "day": model.day}[group_by]


async def totals(*, session: AsyncSession, group_by: str, since: date | None = None) -> dict[str, Any]:
    """Cost, tokens and requests grouped by session, host, model or UTC day, and the grand total (from the
    UTC day `since` on, when given)."""
    group = check_group(group_by)
    groups: dict[str, dict[str, Any]] = {}

    def entry(key: Any) -> dict[str, Any]:
        name = "" if key is None else str(key)
        return groups.setdefault(
            name, {"key": name or None, "cost_usd": 0.0, "tokens": dict.fromkeys(TOKEN_NAMES, 0), "requests": 0}
        )

    key = _column(CostRequest, group)
    query = select(
        key,
        func.count(),
        func.sum(CostRequest.cost_usd),
        func.sum(CostRequest.input_tokens),
        func.sum(CostRequest.output_tokens),
        func.sum(CostRequest.cache_read_tokens),
        func.sum(CostRequest.cache_creation_tokens),
    ).group_by(key)
    if since is not None:
        query = query.where(CostRequest.day >= since)
    for value, count, cost, *tokens in await session.execute(query):
        item = entry(value)
        item["requests"] += int(count)
        item["cost_usd"] += float(cost or 0)
        for name, amount in zip(TOKEN_NAMES, tokens, strict=True):
            item["tokens"][name] += int(amount or 0)

    # Metrics count only for sessions that sent no api_request event (the source rule).
    with_events = select(func.coalesce(CostRequest.session_id, "")).distinct()
    key = _column(CostMetricPoint, group)
    query = (
        select(key, CostMetricPoint.metric, CostMetricPoint.kind, func.sum(CostMetricPoint.value))
        .where(
            CostMetricPoint.metric.in_(("cost.usage", "token.usage")),
            func.coalesce(CostMetricPoint.session_id, "").not_in(with_events),
            *([CostMetricPoint.day >= since] if since is not None else []),
        )
        .group_by(key, CostMetricPoint.metric, CostMetricPoint.kind)
    )
    for value, metric, kind, amount in await session.execute(query):
        item = entry(value)
        if metric == "cost.usage":
            item["cost_usd"] += float(amount or 0)
        elif kind in TOKEN_KINDS:
            item["tokens"][TOKEN_KINDS[kind]] += int(round(amount or 0))

    ordered = sorted(groups.values(), key=lambda g: (-g["cost_usd"], g["key"] or ""))
    if group == "day":
        ordered = sorted(groups.values(), key=lambda g: g["key"] or "")
    total: dict[str, Any] = {"cost_usd": 0.0, "tokens": dict.fromkeys(TOKEN_NAMES, 0), "requests": 0}
    for item in ordered:
        item["cost_usd"] = round(item["cost_usd"], 6)
        total["cost_usd"] += item["cost_usd"]
        total["requests"] += item["requests"]
        for name in TOKEN_NAMES:
            total["tokens"][name] += item["tokens"][name]
    total["cost_usd"] = round(total["cost_usd"], 6)
    return {"group_by": group, "groups": ordered, "total": total}


async def daily_spend(*, session: AsyncSession, since: date) -> dict[date, float]:
    """What the agents cost on each UTC day from `since` on (days with nothing are absent)."""
    by_day = await totals(session=session, group_by="day", since=since)
    return {date.fromisoformat(g["key"]): float(g["cost_usd"]) for g in by_day["groups"] if g["key"] is not None}
