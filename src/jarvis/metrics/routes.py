"""Metrics JSON API: push a batch, list modules and keys, read one series downsampled."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from jarvis.core import clock
from jarvis.core.apidocs import inline_schema
from jarvis.core.auth import require
from jarvis.core.context import AppContext
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.errors import NotFound, ValidationFailed
from jarvis.core.jsonresp import ok
from jarvis.metrics import schemas, service
from jarvis.metrics.modules import KEY_RE, Module, registry
from jarvis.metrics.schemas import PointsIn, parse_points
from jarvis.metrics.series import check_window, series

router = APIRouter(prefix="/api/metrics", tags=["metrics"])


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def known_module(request: Request, module: Annotated[str, Path(max_length=63)]) -> Module:
    """The module named in the path, or a 404 listing the known ones."""
    modules = registry(_ctx(request).settings)
    if module not in modules:
        raise NotFound(
            f"No module `{module}`; known modules: {', '.join(modules)}.",
            details=[{"field": "module", "problem": "is not a known module"}],
        )
    return modules[module]


ModuleDep = Annotated[Module, Depends(known_module)]


@router.post(
    "",
    dependencies=[require("ingest")],
    status_code=201,
    response_model=Envelope[schemas.PointsAccepted],
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": inline_schema(PointsIn)}}, "required": True}
    },
)
async def push_points(request: Request) -> Response:
    """Store a batch of points `{module, key, value, timestamp?, labels?}`: all of them or none.

    Unknown module, bad key, non-finite value, a timestamp in the future: 400 naming
    `points[i].field`; more than `metrics.max_batch` points: 413."""
    ctx = _ctx(request)
    settings = ctx.settings
    points = parse_points(
        await request.body(),
        modules=registry(settings),
        max_batch=settings.metrics.max_batch,
        max_future_s=settings.metrics.max_future_s,
        oldest_days=settings.retention.rollup_days,
    )
    accepted = await service.push(ctx, points)
    return ok({"accepted": accepted}, status_code=201)


@router.get("", dependencies=[require("read")], response_model=Envelope[schemas.ModuleCatalogue])
async def list_metrics(request: Request, session: SessionDep) -> Response:
    """Every module with its keys and each key's latest value and time."""
    return ok({"modules": await service.catalogue(_ctx(request), session)})


@router.get("/{module}/{key}", dependencies=[require("read")], response_model=Envelope[schemas.Series])
async def read_series(
    request: Request,
    session: SessionDep,
    module: ModuleDep,
    key: Annotated[str, Path(max_length=64)],
    window: Annotated[str, Query(max_length=16)] = "7d",
    step: Annotated[str, Query(max_length=16)] = "1h",
) -> Response:
    """One series over `window` in buckets of `step` (avg, min, max, count; empty buckets have count 0)."""
    if not KEY_RE.match(key):
        raise ValidationFailed(
            "`key` must be lower-case letters, digits and underscores, starting with a letter.",
            details=[{"field": "key", "problem": "does not match ^[a-z][a-z0-9_]{0,63}$"}],
        )
    window_s, step_s = check_window(window, step, max_days=_ctx(request).settings.retention.rollup_days)
    now = clock.now()
    buckets = await series(session, module=module.id, key=key, window_s=window_s, step_s=step_s, now=now)
    return ok(
        {
            "module": module.id,
            "key": key,
            "window": window,
            "step": step,
            "from": buckets[0]["at"] if buckets else None,
            "to": clock.iso(now),
            "points": buckets,
        }
    )
