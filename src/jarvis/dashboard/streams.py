"""The live streams, all one SSE response (`core/sse.py`):

- `/api/dashboard/stream` speaks the seed's protocol: unnamed `data: {instances, business, health,
  financial, waves, timestamp}` events (the overview, in the seed's shapes), on connect, on every
  change and at least every `SEED_REPEAT_S`, so a browser's `EventSource.onmessage` fires.
- `/api/stream` is ours (the web UI follows it, one per page): named `dashboard.snapshot` on connect,
  then `dashboard.update` carrying only the sections that changed; with `types=`, the hub's events
  too (`suggestion.*`, `notification.delivered`, …) on the same connection, replayed after
  `Last-Event-ID`.
- `/api/events` is the hub's events alone, named, replayed after `Last-Event-ID`.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.responses import Response

from jarvis.core.auth import require
from jarvis.core.context import context_of
from jarvis.core.errors import ValidationFailed
from jarvis.core.hub import Event, Subscription
from jarvis.core.sse import OPENAPI_RESPONSE, EventStream, HubSource, last_event_id
from jarvis.dashboard.snapshot import SnapshotService, snapshot_of

router = APIRouter(tags=["streams"])

SEED_REPEAT_S = 5.0  # the seed sent the overview every 5 s; we send it on change, and at least this often
TYPES_MAX = 2000


class SeedSource:
    """The seed's stream: the whole overview after each published change, or after SEED_REPEAT_S of quiet."""

    def __init__(self, snapshot: SnapshotService, subscription: Subscription, repeat_s: float = SEED_REPEAT_S) -> None:
        self.snapshot = snapshot
        self.subscription = subscription
        self.repeat_s = repeat_s

    async def next(self) -> bytes | None:
        try:
            async with asyncio.timeout(self.repeat_s):
                if await self.subscription.get() is None:
                    return None
        except TimeoutError:
            pass
        return await self.snapshot.seed_event()

    def close(self) -> None:
        self.subscription.close()


def _types(request: Request) -> list[str] | None:
    raw = request.query_params.get("types")
    if raw is not None and len(raw) > TYPES_MAX:
        raise ValidationFailed(
            "`types` is too long (2,000 characters at most).", details=[{"field": "types", "problem": "too long"}]
        )
    return [t.strip() for t in raw.split(",") if t.strip()] if raw else None


async def _current(snapshot: SnapshotService) -> SnapshotService:
    if snapshot.version == 0:
        await snapshot.refresh()
    return snapshot


@router.get(
    "/api/dashboard/stream",
    dependencies=[require("read", fast=True)],
    responses=OPENAPI_RESPONSE,  # type: ignore[arg-type]
    response_class=Response,
    summary="SSE, the seed's protocol: unnamed `data:` events carrying the overview",
)
async def seed_stream(request: Request) -> Response:
    """On connect, on every change and at least every 5 s: `data: {instances, business, health,
    financial, waves, timestamp}` — the same data as `GET /api/dashboard/overview`, with no event
    name (so `EventSource.onmessage` fires)."""
    snapshot = await _current(snapshot_of(context_of(request)))
    source = SeedSource(snapshot, snapshot.subscribe())
    return EventStream(source, [await snapshot.seed_event()])


@router.get(
    "/api/stream",
    dependencies=[require("read", fast=True)],
    responses=OPENAPI_RESPONSE,  # type: ignore[arg-type]
    response_class=Response,
    summary="SSE, ours: the dashboard's deltas and, with `types=`, the hub's events on one connection",
)
async def live_stream(request: Request) -> Response:
    """`dashboard.snapshot` (every section, our shapes) on connect, then `dashboard.update`
    `{version, changed, sections}` with only the sections that changed, at most once per 100 ms window.
    `types=suggestion.*,notification.delivered` adds those hub events (with their `id:`; `Last-Event-ID`
    replays the ones missed). Dashboard events carry no `id:`: a reconnect gets a fresh snapshot."""
    wanted = _types(request)
    ctx = context_of(request)
    snapshot = await _current(snapshot_of(ctx))

    def encode(event: Event) -> bytes:
        return snapshot.live_bytes(event) if event.type.startswith("dashboard.") else event.sse()

    initial = [snapshot.full_event()]
    if wanted is None:
        return EventStream(HubSource(snapshot.subscribe(), encode=encode), initial)
    events = ctx.hub.subscribe(wanted, maxsize=256)
    last = last_event_id(request.headers.get("last-event-id"))
    if last is not None:
        initial += [e.sse() for e in ctx.hub.since(last) if events.wants(e.type)]
    return EventStream(HubSource(events, snapshot.subscribe(), encode=encode), initial)


@router.get(
    "/api/events",
    dependencies=[require("read", fast=True)],
    responses=OPENAPI_RESPONSE,  # type: ignore[arg-type]
    response_class=Response,
    summary="SSE of the hub's events (instances, blockers, health transitions, suggestions, …)",
)
async def events(request: Request) -> Response:
    """Named events `{id, type, at, data}`. `types` filters by comma-separated names (`health.*`
    matches a family); `Last-Event-ID` replays from a recent-event ring."""
    wanted = _types(request)
    hub = context_of(request).hub
    subscription = hub.subscribe(wanted, maxsize=256)
    last = last_event_id(request.headers.get("last-event-id"))
    replay = [e.sse() for e in hub.since(last) if subscription.wants(e.type)] if last is not None else []
    return EventStream(HubSource(subscription), replay)
