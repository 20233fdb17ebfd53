"""Suggestion queries and the public shape (what the API, the hub and the bell see)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.priority import PRIORITY_RANK
from jarvis.proactive.models import OPEN_STATUSES, Suggestion
from jarvis.proactive.rules import RULES
from jarvis.proactive.scores import PRIOR, Score, ScoreMap


def public(row: Suggestion, score: Score = PRIOR) -> dict[str, Any]:
    """The suggestion as the API, the hub and the bell see it: ours, and the seed's keys beside them
    (`type`, `message`, `reasoning`, `confidence` 0–1, `action`, `createdAt`, `expiresAt`, `dismissed`,
    `actedUpon`)."""
    spec = RULES.get(row.rule)
    created, expires = clock.iso(row.created_at), clock.iso(row.expires_at)
    confidence = round(score.mean, 4)
    return {
        "id": row.id,
        "rule": row.rule,
        "kind": row.kind,
        "type": row.kind,  # the seed's name for it
        "title": row.title,
        "why": row.why,
        "message": row.why,  # the seed's name for it
        "reasoning": f"The {row.rule} rule: {spec.description}" if spec else f"The {row.rule} rule.",
        "confidence": confidence,  # the seed's: how useful feedback says this rule's suggestions are, 0–1
        "action": {"type": "navigate", "label": "Open", "payload": {"url": row.link}},
        "link": row.link,
        "priority": row.priority,
        "status": row.status,
        "feedback": row.feedback,
        "dismissed": row.status == "dismissed",
        "actedUpon": row.feedback == "acted_upon",
        "notification": row.notify,
        "dedupe_key": row.dedupe_key,
        "figures": row.figures,
        "score": confidence,
        "createdAt": created,
        "expiresAt": expires,
        "created_at": created,
        "updated_at": clock.iso(row.updated_at),
        "expires_at": expires,
        "resolved_at": clock.iso(row.resolved_at),
        "notified_at": clock.iso(row.notified_at),
    }


def listed_item(row: Suggestion, score: Score = PRIOR) -> dict[str, Any]:
    """An item of `GET /api/proactive/suggestions`: `public`, with the id as a string (the seed's type)."""
    return {**public(row, score), "id": str(row.id)}


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
