"""/api/dashboard/*, /api/events, /api/cache/*, /health.

The hot reads serve bytes serialised once per change (see docs/architecture.md, "The snapshot and the
streams"). They are declared `fast`: the gateway answers them ahead of FastAPI's router from the same
route objects that /docs documents, so there is no second copy of any of them.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jarvis import __version__
from jarvis.core import clock
from jarvis.core.auth import require
from jarvis.core.context import AppContext, CtxDep, context_of
from jarvis.core.errors import ValidationFailed
from jarvis.core.jsonresp import JSONBytes, dumps, ok
from jarvis.core.sections import SECTIONS, Section
from jarvis.core.sse import SubscriptionStream, last_event_id
from jarvis.dashboard.snapshot import snapshot_of

router = APIRouter()


@router.get(
    "/health",
    tags=["system"],
    dependencies=[require("public", fast=True)],
    summary="Liveness, version, uptime and cache stats (flat shape)",
)
async def health(request: Request) -> Response:
    ctx = context_of(request)
    database_ok = await _database_ok(ctx)
    body = {
        "status": "healthy" if database_ok else "degraded",
        "service": "jarvis-dashboard-api",
        "version": __version__,
        "uptime_s": round(time.monotonic() - ctx.started_at, 1),
        "timestamp": clock.iso(clock.now()),
        "database": "ok" if database_ok else "unreachable",
        "cache": ctx.cache.snapshot(),
    }
    return JSONBytes(dumps(body), status_code=200 if database_ok else 503)


async def _database_ok(ctx: AppContext) -> bool:
    from sqlalchemy import text

    async def ping() -> bool:
        async with ctx.db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    try:
        lookup = await ctx.cache.get_or_compute("health:database", 5.0, ping)
    except Exception:
        return False
    return not lookup.stale


@router.get("/api/dashboard/overview", tags=["dashboard"], dependencies=[require("read", fast=True)])
async def overview(request: Request) -> Response:
    """Every section at once: instances, business, health, financial, waves."""
    return JSONBytes(await snapshot_of(context_of(request)).overview_bytes())


def _section_route(name: Section) -> None:
    async def section(request: Request) -> Response:
        built = await snapshot_of(context_of(request)).section(name)
        return JSONBytes(built.body)

    router.add_api_route(
        f"/api/dashboard/{name}",
        section,
        methods=["GET"],
        tags=["dashboard"],
        summary=f"The {name} section",
        dependencies=[require("read", fast=True)],
    )


for _name in SECTIONS:
    _section_route(_name)


@router.get("/api/dashboard/stream", tags=["dashboard"], dependencies=[require("read", fast=True)])
async def stream(request: Request) -> Response:
    """SSE: `dashboard.snapshot` on connect (skipped when `Last-Event-ID` is current), then
    `dashboard.update` events carrying only the sections that changed."""
    snapshot = snapshot_of(context_of(request))
    if snapshot.version == 0:
        await snapshot.refresh()
    subscription = snapshot.subscribe()
    last = last_event_id(request.headers.get("last-event-id"))
    initial = [] if last == snapshot.version else [snapshot.full_event()]
    return SubscriptionStream(subscription, initial)


@router.get("/api/events", tags=["events"], dependencies=[require("read", fast=True)])
async def events(request: Request) -> Response:
    """SSE of individual events (instance events, blockers, health transitions, suggestions).
    `types` filters by comma-separated names (`health.*` matches a family); `Last-Event-ID` replays."""
    types = request.query_params.get("types")
    if types is not None and len(types) > 2000:
        raise ValidationFailed(
            "`types` is too long (2,000 characters at most).", details=[{"field": "types", "problem": "too long"}]
        )
    wanted = [t.strip() for t in types.split(",") if t.strip()] if types else None
    hub = context_of(request).hub
    subscription = hub.subscribe(wanted, maxsize=256)
    last = last_event_id(request.headers.get("last-event-id"))
    replay = [e.sse() for e in hub.since(last) if subscription.wants(e.type)] if last is not None else []
    return SubscriptionStream(subscription, replay)


class CacheClear(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str | None = Field(None, max_length=200)


@router.get("/api/cache/stats", tags=["system"], dependencies=[require("read")])
async def cache_stats(ctx: CtxDep) -> Response:
    return ok(ctx.cache.snapshot())


@router.post("/api/cache/clear", tags=["system"], dependencies=[require("admin")])
async def cache_clear(ctx: CtxDep, body: CacheClear | None = None) -> Response:
    """Drop every key, or just `key`."""
    key = body.key if body else None
    removed = ctx.cache.clear(key)
    ctx.dirty.set()
    return ok({"cleared": removed, "key": key})
