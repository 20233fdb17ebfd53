"""The proactive domain's write path and views (routes only translate), and what other domains may
ask of it (chat lists the open suggestions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.db import row_id
from jarvis.core.errors import NotFound
from jarvis.proactive import scores, store, timing, usage
from jarvis.proactive.engine import ENGINE, Engine
from jarvis.proactive.events import SUGGESTION_UPDATED
from jarvis.proactive.models import Suggestion
from jarvis.proactive.rules import RULES
from jarvis.proactive.schemas import FeedbackValue


def engine_of(ctx: AppContext) -> Engine:
    return ctx.extras[ENGINE]


async def open_suggestions(ctx: AppContext, *, limit: int = 50) -> list[dict[str, Any]]:
    """Active suggestions, ranked as the bell shows them (priority, then score, then newest)."""
    async with ctx.db.sessions() as session:
        score_map = await scores.load(session)
        rows = await store.listed(session, status="active", scores=score_map, limit=limit)
        return [store.public(row, score_map.get((row.rule, row.kind), scores.PRIOR)) for row in rows]


async def suggestions_view(ctx: AppContext, *, session: AsyncSession, status: str, limit: int) -> dict[str, Any]:
    """Ranked suggestions and the engine's status, in the seed's shape (`{suggestions, status}`)."""
    engine = engine_of(ctx)
    score_map = await scores.load(session)
    rows = await store.listed(session, status=status, scores=score_map, limit=limit)
    active, pending = await store.counts(session)
    return {
        "suggestions": [store.listed_item(row, score_map.get((row.rule, row.kind), scores.PRIOR)) for row in rows],
        "status": {
            "running": engine.running,
            "enabled": engine.settings.enabled,
            "activeSuggestions": active,
            "pendingNotifications": pending,
            "context": {
                "lastEvaluation": clock.iso(engine.last_evaluation),
                "evaluations": engine.evaluations,
                "lastDurationMs": engine.last_duration_ms,
                "rules": sorted(name for name, cfg in engine.rule_settings.items() if cfg.enabled),
                "ruleErrors": engine.rule_errors,
                "sectionErrors": engine.section_errors,
                "quietHours": timing.in_quiet_hours(clock.now(), engine.settings),
                "held": {str(key): reason for key, reason in engine.held.items()},
                "habits": [habit.as_dict() for habit in engine.habits],
            },
        },
    }


async def suggestion(*, session: AsyncSession, suggestion_id: str) -> Suggestion:
    """Ours are numbers; any other id (the seed's were UUIDs) is simply not one of ours: 404."""
    number = row_id(suggestion_id)
    row = await session.get(Suggestion, number) if number is not None else None
    if row is None:
        shown = suggestion_id if len(suggestion_id) <= 100 else suggestion_id[:100] + "…"
        raise NotFound(f"No suggestion with id {shown!r}.", details=[{"field": "id", "problem": "unknown"}])
    return row


async def record_feedback(
    ctx: AppContext, *, session: AsyncSession, suggestion_id: str, value: FeedbackValue
) -> dict[str, Any]:
    """Store the feedback, update the rule's score, tell the bells, and let the engine re-evaluate."""
    row = await suggestion(session=session, suggestion_id=suggestion_id)
    score = await scores.record(session, suggestion=row, value=value)
    await session.commit()
    item = store.public(row, score)
    ctx.hub.emit(SUGGESTION_UPDATED, item)
    engine_of(ctx).wake.set()  # suppression may change: re-evaluate soon
    return {"suggestion": item, "rule": {"rule": row.rule, "kind": row.kind, **score.as_dict()}}


async def record_action(
    ctx: AppContext,
    *,
    session: AsyncSession,
    action_type: str,
    target: str,
    context: dict[str, Any],
    session_id: str | None,
) -> dict[str, Any]:
    """Record what the user opened or did; habits are learned from these."""
    row = await usage.record_action(
        session, action_type=action_type, target=target, context=context, session_id=session_id
    )
    await session.commit()
    engine_of(ctx).forget_habits()
    return {"id": row.id, "recorded_at": clock.iso(row.at)}


async def rules_view(ctx: AppContext, *, session: AsyncSession) -> dict[str, Any]:
    """Every rule with its settings, its score per kind, whether it is muted, and its feedback history."""
    engine = engine_of(ctx)
    score_map = await scores.load(session)
    history = await scores.history(session)
    listing: list[dict[str, Any]] = []
    for name, spec in RULES.items():
        cfg = engine.rule_settings[name]
        kinds = [
            {
                "kind": kind,
                **score.as_dict(),
                "suppresses": [p for p in ("high", "normal", "low") if scores.is_muted(score, p, engine.settings)],
            }
            for (rule, kind), score in sorted(score_map.items())
            if rule == name
        ]
        listing.append(
            {
                "rule": name,
                "description": spec.description,
                "enabled": cfg.enabled,
                "settings": cfg.model_dump(),
                "scores": kinds,
                "history": history.get(name, []),
                "error": engine.rule_errors.get(name),
            }
        )
    return {"rules": listing, "habits": [habit.as_dict() for habit in engine.habits]}


async def reset_rule(ctx: AppContext, *, session: AsyncSession, rule: str) -> dict[str, Any]:
    """Put the rule's scores back at the prior (its feedback history stays)."""
    if rule not in RULES:
        raise NotFound(f"No rule named {rule!r}.", details=[{"field": "rule", "problem": "unknown"}])
    count = await scores.reset(session, rule=rule)
    await session.commit()
    engine_of(ctx).wake.set()
    return {"rule": rule, "reset": count}
