"""/api/dashboard/*, /api/cache/*, /health — in the seed's shapes (`dashboard/seed.py`); the streams
are in `dashboard/streams.py`.

The hot reads serve bytes serialised once per change (see docs/architecture.md, "The snapshot and the
streams"). They are declared `fast`: the gateway answers them ahead of FastAPI's router from the same
route objects that /docs documents, so there is no second copy of any of them.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from jarvis import __version__
from jarvis.core import clock
from jarvis.core.auth import require
from jarvis.core.context import AppContext, CtxDep, context_of
from jarvis.core.envelope import Envelope, MessageEnvelope
from jarvis.core.jsonresp import JSONBytes, dumps, ok
from jarvis.core.sections import SECTIONS, Section
from jarvis.dashboard import schemas, streams
from jarvis.dashboard.snapshot import snapshot_of

router = APIRouter()
router.include_router(streams.router)

# The model /docs shows for each section's endpoint.
SECTION_MODELS: dict[Section, Any] = {
    "instances": schemas.InstancesSection,
    "waves": list[schemas.Wave],
    "health": schemas.HealthSection,
    "business": schemas.BusinessSection,
    "financial": schemas.FinancialSection,
}
SECTION_SUMMARIES: dict[Section, str] = {
    "instances": "Agents, task metrics, open blockers and the tracker's projects",
    "waves": "The waves, each with `completion` (percent) and task counts",
    "health": "Overall status and the services keyed by name",
    "business": "The five business modules keyed by id",
    "financial": "MRR, ARR, customers, revenue, CAC, LTV, burn and runway (`null` without inputs)",
}
# The seed's cache keys, for `POST /api/cache/clear {"key": …}` from its scripts.
SEED_CACHE_KEYS = {"instance-activity": "dashboard:instances", "system-health": "dashboard:health"}


@router.get(
    "/health",
    tags=["system"],
    dependencies=[require("public", fast=True)],
    summary="Liveness, version, uptime and cache stats (flat shape)",
    response_model=schemas.Health,
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


@router.get(
    "/api/dashboard/overview",
    tags=["dashboard"],
    dependencies=[require("read", fast=True)],
    response_model=Envelope[schemas.Overview],
)
async def overview(request: Request) -> Response:
    """Every section at once (instances, business, health, financial, waves), in the seed's shapes."""
    return JSONBytes(await snapshot_of(context_of(request)).overview_bytes())


def _section_route(name: Section) -> None:
    async def section(request: Request) -> Response:
        return JSONBytes(await snapshot_of(context_of(request)).seed_section(name))

    router.add_api_route(
        f"/api/dashboard/{name}",
        section,
        methods=["GET"],
        tags=["dashboard"],
        summary=SECTION_SUMMARIES[name],
        dependencies=[require("read", fast=True)],
        response_model=Envelope[SECTION_MODELS[name]],  # type: ignore[valid-type]
    )


def _our_section_route(name: Section) -> None:
    async def section(request: Request) -> Response:
        return JSONBytes((await snapshot_of(context_of(request)).section(name)).body)

    router.add_api_route(
        f"/api/sections/{name}",
        section,
        methods=["GET"],
        tags=["dashboard"],
        summary=f"The {name} section in our shape: the snapshot's, as /api/stream carries it",
        dependencies=[require("read", fast=True)],
        response_model=Envelope[dict[str, Any]],
    )


for _name in SECTIONS:
    _section_route(_name)
    _our_section_route(_name)


@router.get(
    "/api/cache/stats",
    tags=["system"],
    dependencies=[require("read")],
    response_model=Envelope[schemas.CacheStats],
)
async def cache_stats(ctx: CtxDep) -> Response:
    """Hits, misses, hit ratio and keys of the cache"""
    return ok(ctx.cache.snapshot())


@router.post(
    "/api/cache/clear",
    tags=["system"],
    dependencies=[require("admin")],
    response_model=MessageEnvelope[schemas.CacheCleared],
)
async def cache_clear(ctx: CtxDep, body: schemas.CacheClear | None = None) -> Response:
    """Drop every key, or just `key` (the seed's `instance-activity` and `system-health` are understood)."""
    asked = body.key if body else None
    key = SEED_CACHE_KEYS.get(asked, asked) if asked is not None else None
    removed = ctx.cache.clear(key)
    ctx.dirty.set()
    message = f"Cache key '{asked}' cleared" if asked is not None else "All cache cleared"
    return ok({"cleared": removed, "key": key}, message=message)
