"""Suggestion queries and the public shape (what the API, the hub and the bell see)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.priority import PRIORITY_RANK
from jarvis.proactive.models import OPEN_STATUSES, Suggestion
from jarvis.proactive.scores import PRIOR, Score, ScoreMap


def public(row: Suggestion, score: Score = PRIOR) -> dict[str, Any]:
    return {
        "id": row.id,
        "rule": row.rule,
        "kind": row.kind,
        "type": row.kind,  # the seed's name for it
        "title": row.title,
        "why": row.why,
        "message": row.why,  # the seed's name for it
        "link": row.link,
        "priority": row.priority,
        "status": row.status,
        "feedback": row.feedback,
        "notification": row.notify,
        "dedupe_key": row.dedupe_key,
        "figures": row.figures,
        "score": round(score.mean, 4),
        "created_at": clock.iso(row.created_at),
        "updated_at": clock.iso(row.updated_at),
        "expires_at": clock.iso(row.expires_at),
        "resolved_at": clock.iso(row.resolved_at),
        "notified_at": clock.iso(row.notified_at),
    }


def rank_key(row: Suggestion, scores: ScoreMap) -> tuple[int, float, float, int]:
    """Priority first, then what feedback says is useful, then the newest."""
    score = scores.get((row.rule, row.kind), PRIOR)
    return (PRIORITY_RANK.get(row.priority, 9), -score.mean, -row.created_at.timestamp(), -row.id)


async def open_rows(session: AsyncSession) -> list[Suggestion]:
    rows = await session.scalars(select(Suggestion).where(Suggestion.status.in_(OPEN_STATUSES)).order_by(Suggestion.id))
    return list(rows.all())


async def listed(session: AsyncSession, *, status: str, scores: ScoreMap, limit: int) -> list[Suggestion]:
    query = select(Suggestion)
    if status != "all":
        query = query.where(Suggestion.status == status)
    rows = list((await session.scalars(query.order_by(Suggestion.id.desc()).limit(limit))).all())
    return sorted(rows, key=lambda row: rank_key(row, scores))


async def counts(session: AsyncSession) -> tuple[int, int]:
    """(active suggestions, notifications waiting for the timing gate)."""
    active = await session.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.status == "active"))
    pending = await session.scalar(
        select(func.count())
        .select_from(Suggestion)
        .where(Suggestion.status == "active", Suggestion.notify == "pending")
    )
    return int(active or 0), int(pending or 0)
