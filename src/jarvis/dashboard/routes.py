"""/api/dashboard/*, /api/events, /api/cache/*, /health.

The hot reads are plain Starlette routes serving bytes serialised once per change (see
DESIGN.md, performance notes); FastAPI twins registered behind them document them in /docs.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from jarvis import __version__
from jarvis.core import clock
from jarvis.core.auth import is_allowed, require
from jarvis.core.context import AppContext
from jarvis.core.errors import AppError, ValidationFailed
from jarvis.core.jsonresp import JSONBytes, dumps, ok
from jarvis.core.sections import SECTIONS, Section
from jarvis.core.sse import SubscriptionStream, last_event_id
from jarvis.dashboard.snapshot import snapshot_of

router = APIRouter()


def _ctx(request: Request | StarletteRequest) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


# The handlers below check no access themselves: their callers do (HotReads, or the twin's `require`).
async def _overview(request: StarletteRequest) -> Response:
    return JSONBytes(await snapshot_of(_ctx(request)).overview_bytes())


def _section_endpoint(name: Section) -> Any:
    async def endpoint(request: StarletteRequest) -> Response:
        built = await snapshot_of(_ctx(request)).section(name)
        return JSONBytes(built.body)

    return endpoint


async def _health(request: StarletteRequest) -> Response:
    ctx = _ctx(request)
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


class HotReads:
    """The hot reads (overview, sections, /health, the streams) answered before the
    request reaches FastAPI's exception middleware, exit stack and router: those cost as much as
    the answer itself. Anything else — another method, a remote client, an error — goes on to the
    app, where the documented twins below answer with the usual envelope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.handlers: dict[str, Any] = {"/api/dashboard/overview": _overview, "/health": _health}
        self.handlers.update({f"/api/dashboard/{name}": _section_endpoint(name) for name in SECTIONS})
        # The streams too: FastAPI would hold a dependency exit stack open for each long-lived connection.
        self.handlers.update({"/api/dashboard/stream": _stream, "/api/events": _events})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.handlers.get(scope["path"]) if scope["type"] == "http" else None
        if handler is not None and scope["method"] in ("GET", "HEAD"):
            request = StarletteRequest(scope, receive)
            if is_allowed(request):
                try:
                    response: Response = await handler(request)
                except AppError:
                    pass  # the twin raises it again, inside the app's error handling
                else:
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


# --- documented twins (reached only when the fast paths above pass a request on) --------------------------


@router.get("/health", tags=["system"], summary="Liveness, version, uptime and cache stats (flat shape)")
async def health(request: Request) -> Response:
    return await _health(request)


@router.get("/api/dashboard/overview", tags=["dashboard"], dependencies=[require("read")])
async def overview(request: Request) -> Response:
    """Every section at once: instances, business, health, financial, waves."""
    return await _overview(request)


def _twin(name: Section) -> None:
    async def section(request: Request) -> Response:
        response: Response = await _section_endpoint(name)(request)
        return response

    router.add_api_route(
        f"/api/dashboard/{name}", section, methods=["GET"], tags=["dashboard"], summary=f"The {name} section"
    )


for _name in SECTIONS:
    _twin(_name)


async def _stream(request: StarletteRequest) -> Response:
    snapshot = snapshot_of(_ctx(request))
    if snapshot.version == 0:
        await snapshot.refresh()
    subscription = snapshot.subscribe()
    last = last_event_id(request.headers.get("last-event-id"))
    initial = [] if last == snapshot.version else [snapshot.full_event()]
    return SubscriptionStream(subscription, initial)


async def _events(request: StarletteRequest) -> Response:
    types = request.query_params.get("types")
    if types is not None and len(types) > 2000:
        raise ValidationFailed(
            "`types` is too long (2,000 characters at most).", details=[{"field": "types", "problem": "too long"}]
        )
    wanted = [t.strip() for t in types.split(",") if t.strip()] if types else None
    hub = _ctx(request).hub
    subscription = hub.subscribe(wanted, maxsize=256)
    last = last_event_id(request.headers.get("last-event-id"))
    replay = [e.sse() for e in hub.since(last) if subscription.wants(e.type)] if last is not None else []
    return SubscriptionStream(subscription, replay)


@router.get("/api/dashboard/stream", tags=["dashboard"], dependencies=[require("read")])
async def stream(request: Request) -> Response:
    """SSE: `dashboard.snapshot` on connect (skipped when `Last-Event-ID` is current), then
    `dashboard.update` events carrying only the sections that changed."""
    return await _stream(request)


@router.get("/api/events", tags=["events"], dependencies=[require("read")])
async def events(request: Request, types: str | None = None) -> Response:
    """SSE of individual events (instance events, blockers, health transitions, suggestions).
    `types` filters by comma-separated names (`health.*` matches a family); `Last-Event-ID` replays."""
    return await _events(request)


class CacheClear(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str | None = Field(None, max_length=200)


@router.get("/api/cache/stats", tags=["system"], dependencies=[require("read")])
async def cache_stats(request: Request) -> Response:
    return ok(_ctx(request).cache.snapshot())


@router.post("/api/cache/clear", tags=["system"], dependencies=[require("admin")])
async def cache_clear(request: Request, body: CacheClear | None = None) -> Response:
    """Drop every key, or just `key`."""
    ctx = _ctx(request)
    key = body.key if body else None
    removed = ctx.cache.clear(key)
    ctx.dirty.set()
    return ok({"cleared": removed, "key": key})
