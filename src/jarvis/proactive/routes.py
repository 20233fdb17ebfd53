"""/api/proactive/*: suggestions, feedback, user actions, rule scores and habits."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from jarvis.core import clock
from jarvis.core.auth import require
from jarvis.core.context import context_of
from jarvis.core.db import SessionDep
from jarvis.core.errors import NotFound
from jarvis.core.jsonresp import ok
from jarvis.proactive import scores, store, timing, usage
from jarvis.proactive.engine import ENGINE, Engine
from jarvis.proactive.models import Suggestion
from jarvis.proactive.rules import RULES
from jarvis.proactive.schemas import FeedbackCreate, UserActionCreate

router = APIRouter(prefix="/api/proactive", tags=["proactive"])


def engine_of(request: Request) -> Engine:
    engine = context_of(request).extras[ENGINE]
    return engine


EngineDep = Annotated[Engine, Depends(engine_of)]


async def suggestion_by_id(suggestion_id: int, session: SessionDep) -> Suggestion:
    row = await session.get(Suggestion, suggestion_id)
    if row is None:
        raise NotFound(f"No suggestion with id {suggestion_id}.", details=[{"field": "id", "problem": "unknown"}])
    return row


def known_rule(rule: str) -> str:
    if rule not in RULES:
        raise NotFound(f"No rule named {rule!r}.", details=[{"field": "rule", "problem": "unknown"}])
    return rule


@router.get("/suggestions", dependencies=[require("read")])
async def suggestions(
    engine: EngineDep,
    session: SessionDep,
    status: Literal["active", "suppressed", "dismissed", "resolved", "expired", "all"] = "active",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Ranked suggestions (active by default) and the engine's status, in the seed's shape."""
    score_map = await scores.load(session)
    rows = await store.listed(session, status=status, scores=score_map, limit=limit)
    active, pending = await store.counts(session)
    now = clock.now()
    return ok(
        {
            "suggestions": [store.public(row, score_map.get((row.rule, row.kind), scores.PRIOR)) for row in rows],
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
                    "quietHours": timing.in_quiet_hours(now, engine.settings),
                    "held": {str(key): reason for key, reason in engine.held.items()},
                    "habits": [habit.as_dict() for habit in engine.habits],
                },
            },
        }
    )


@router.post("/feedback/{suggestion_id}", dependencies=[require("write")])
async def feedback(
    body: FeedbackCreate,
    engine: EngineDep,
    session: SessionDep,
    suggestion: Annotated[Suggestion, Depends(suggestion_by_id)],
) -> Response:
    """`positive`, `negative`, `dismissed` or `acted_upon`; updates the rule's score."""
    score = await scores.record(session, suggestion=suggestion, value=body.feedback)
    await session.commit()
    item = store.public(suggestion, score)
    engine.ctx.hub.publish("suggestion.updated", item)
    engine.wake.set()  # suppression may change: re-evaluate soon
    return ok({"suggestion": item, "rule": {"rule": suggestion.rule, "kind": suggestion.kind, **score.as_dict()}})


@router.post("/user-action", dependencies=[require("write")], status_code=201)
async def user_action(body: UserActionCreate, engine: EngineDep, session: SessionDep) -> Response:
    """Record what the user opened or did (the pages send these); habits are learned from them."""
    row = await usage.record_action(
        session, action_type=body.action_type, target=body.target, context=body.context, session_id=body.session_id
    )
    await session.commit()
    engine.forget_habits()
    return ok({"id": row.id, "recorded_at": clock.iso(row.at)}, status_code=201)


@router.get("/rules", dependencies=[require("read")])
async def rules(engine: EngineDep, session: SessionDep) -> Response:
    """Every rule with its settings, its score per kind, whether it is muted, and its feedback history."""
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
    return ok({"rules": listing, "habits": [habit.as_dict() for habit in engine.habits]})


@router.post("/rules/{rule}/reset", dependencies=[require("admin")])
async def reset_rule(rule: Annotated[str, Depends(known_rule)], engine: EngineDep, session: SessionDep) -> Response:
    """Put the rule's scores back at the prior (its feedback history stays)."""
    count = await scores.reset(session, rule=rule)
    await session.commit()
    engine.wake.set()
    return ok({"rule": rule, "reset": count})
