"""Financial JSON API: record a month's inputs, list what was recorded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from jarvis.core import clock
from jarvis.core.auth import require
from jarvis.core.context import AppContext
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.errors import ValidationFailed
from jarvis.core.jsonresp import ok
from jarvis.financial import schemas, service
from jarvis.financial.schemas import SnapshotIn

router = APIRouter(prefix="/api/financial", tags=["financial"])


def check_snapshot(body: SnapshotIn, *, this_month: str) -> dict[str, float | int | None]:
    """The fields to merge; refuses future months and bodies with nothing but a period."""
    if body.period > this_month:
        raise ValidationFailed(
            f"`period` {body.period} is in the future (this month is {this_month}).",
            details=[{"field": "period", "problem": "is in the future"}],
        )
    if int(body.period[:4]) < 1970:
        raise ValidationFailed("`period` is before 1970.", details=[{"field": "period", "problem": "is before 1970"}])
    given = body.model_fields_set - {"period"}
    if not given:
        raise ValidationFailed(
            "The snapshot gives no input besides `period`.",
            details=[{"field": "body", "problem": "names no input besides period"}],
        )
    values: dict[str, float | int | None] = {name: getattr(body, name) for name in sorted(given)}
    return values


@router.post("/snapshots", dependencies=[require("ingest")], response_model=Envelope[schemas.SnapshotPublic])
async def post_snapshot(request: Request, session: SessionDep, body: SnapshotIn) -> Response:
    """Record a month's inputs (any subset). Upsert per period: given fields replace the
    stored ones, `null` clears one, missing ones stay as they were. 201 when new, 200 when merged."""
    ctx: AppContext = request.app.state.ctx
    values = check_snapshot(body, this_month=service.current_period(clock.now()))
    row, created = await service.upsert_snapshot(session, period=body.period, values=values, source="api")
    await session.commit()
    service.notify(ctx, periods=[row.period], source="api")
    return ok(service.snapshot_public(row), status_code=201 if created else 200)


@router.get("/snapshots", dependencies=[require("read")], response_model=Envelope[schemas.SnapshotList])
async def get_snapshots(session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 120) -> Response:
    """Recorded snapshots, newest period first."""
    rows = await service.list_snapshots(session, limit=limit)
    return ok({"snapshots": [service.snapshot_public(row) for row in rows]})
