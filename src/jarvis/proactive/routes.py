"""/api/proactive/*: suggestions, feedback, user actions, rule scores and habits (the seed's shapes;
the work is in `service.py`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from jarvis.core.auth import require
from jarvis.core.context import CtxDep
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope, MessageEnvelope
from jarvis.core.errors import error_phrases
from jarvis.core.jsonresp import ok
from jarvis.proactive import service
from jarvis.proactive.schemas import (
    FEEDBACK_PHRASE,
    USER_ACTION_PHRASE,
    ActionRecorded,
    FeedbackCreate,
    FeedbackRecorded,
    RuleReset,
    RulesList,
    SuggestionsList,
    UserActionCreate,
)

router = APIRouter(prefix="/api/proactive", tags=["proactive"])


@router.get("/suggestions", dependencies=[require("read")], response_model=Envelope[SuggestionsList])
async def suggestions(
    ctx: CtxDep,
    session: SessionDep,
    status: Literal["active", "suppressed", "dismissed", "resolved", "expired", "all"] = "active",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Ranked suggestions (active by default) and the engine's status, in the seed's shape."""
    return ok(await service.suggestions_view(ctx, session=session, status=status, limit=limit))


@router.post(
    "/feedback/{suggestion_id}", dependencies=[require("write")], response_model=MessageEnvelope[FeedbackRecorded]
)
@error_phrases(feedbackType=FEEDBACK_PHRASE, feedback=FEEDBACK_PHRASE, body=FEEDBACK_PHRASE)
async def feedback(
    body: FeedbackCreate,
    ctx: CtxDep,
    session: SessionDep,
    suggestion_id: Annotated[str, Path(max_length=200)],
) -> Response:
    """`{"feedbackType": "positive|negative|dismissed|acted_upon"}` (or `feedback`); updates the rule's score.
    An id that is not one of ours answers 404."""
    recorded = await service.record_feedback(ctx, session=session, suggestion_id=suggestion_id, value=body.value)
    return ok(recorded, message=f"Feedback recorded for suggestion {suggestion_id}")


@router.post("/user-action", dependencies=[require("write")], response_model=MessageEnvelope[ActionRecorded])
@error_phrases(actionType=USER_ACTION_PHRASE, target=USER_ACTION_PHRASE)
async def user_action(body: UserActionCreate, ctx: CtxDep, session: SessionDep) -> Response:
    """Record what the user opened or did (the pages send these); habits are learned from them."""
    recorded = await service.record_action(
        ctx,
        session=session,
        action_type=body.action_type,
        target=body.target,
        context=body.context,
        session_id=body.session_id,
    )
    return ok(recorded, message="User interaction tracked")


@router.get("/rules", dependencies=[require("read")], response_model=Envelope[RulesList])
async def rules(ctx: CtxDep, session: SessionDep) -> Response:
    """Every rule with its settings, its score per kind, whether it is muted, and its feedback history."""
    return ok(await service.rules_view(ctx, session=session))


@router.post("/rules/{rule}/reset", dependencies=[require("admin")], response_model=Envelope[RuleReset])
async def reset_rule(rule: Annotated[str, Path(max_length=64)], ctx: CtxDep, session: SessionDep) -> Response:
    """Put the rule's scores back at the prior (its feedback history stays)."""
    return ok(await service.reset_rule(ctx, session=session, rule=rule))
