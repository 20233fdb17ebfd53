"""Instances JSON API: list/detail, heartbeats, typed events, and the Claude Code hook receiver."""

from __future__ import annotations

import socket
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from jarvis.core.auth import LOOPBACK, require
from jarvis.core.context import AppContext
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.errors import NotFound, ValidationFailed
from jarvis.core.jsonresp import ok
from jarvis.instances import schemas, service
from jarvis.instances.models import Instance, InstanceEvent
from jarvis.instances.schemas import INSTANCE_ID_PATTERN, EventIn, HeartbeatIn

router = APIRouter(tags=["instances"])
InstanceIdPath = Annotated[str, Path(pattern=INSTANCE_ID_PATTERN, max_length=160)]


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def known_instance(request: Request, session: SessionDep, instance_id: InstanceIdPath) -> str:
    """Lookup-and-404: an id from the database or the tracker file."""
    if service.known_in_tracker(_ctx(request), instance_id) or (await session.get(Instance, instance_id)) is not None:
        return instance_id
    raise NotFound(
        f"No instance with id `{instance_id}`.", details=[{"field": "instance_id", "problem": "unknown instance"}]
    )


KnownInstance = Annotated[str, Depends(known_instance)]


async def _announce(
    ctx: AppContext, session: AsyncSession, instance_id: str, events: list[InstanceEvent]
) -> dict[str, Any] | None:
    """After a commit: tell the hub and the dashboard."""
    instance = await service.get_instance(ctx, session=session, instance_id=instance_id)
    for event in events:
        ctx.hub.publish(
            "instance.event",
            {**service.present_event(event, with_data=False), "status": (instance or {}).get("status")},
        )
    if instance is not None:
        ctx.hub.publish("instance.updated", instance)
    ctx.mark_changed("instances")
    return instance


@router.get(
    "/api/instances",
    dependencies=[require("read")],
    summary="Every instance, merged across sources",
    response_model=Envelope[schemas.InstanceList],
)
async def list_instances(request: Request, session: SessionDep) -> Response:
    return ok({"instances": await service.list_instances(_ctx(request), session=session)})


@router.get(
    "/api/instances/{instance_id}", dependencies=[require("read")], response_model=Envelope[schemas.InstanceDetail]
)
async def get_instance(
    request: Request,
    session: SessionDep,
    instance_id: KnownInstance,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The instance, its timeline (newest first), its tasks and its open blockers."""
    detail = await service.instance_detail(_ctx(request), session=session, instance_id=instance_id, limit=limit)
    return ok(detail)


@router.post(
    "/api/instances/{instance_id}/heartbeat",
    dependencies=[require("ingest")],
    response_model=Envelope[schemas.InstancePublic],
)
async def heartbeat(request: Request, session: SessionDep, instance_id: InstanceIdPath, body: HeartbeatIn) -> Response:
    """Create or refresh an instance (`status` required; everything else optional)."""
    ctx = _ctx(request)
    retention = ctx.settings.monitoring.event_retention
    try:
        _, events = await service.record_heartbeat(
            session=session, instance_id=instance_id, body=body, retention=retention
        )
        await session.commit()
    except IntegrityError:  # two first heartbeats raced; the second becomes an update
        await session.rollback()
        _, events = await service.record_heartbeat(
            session=session, instance_id=instance_id, body=body, retention=retention
        )
        await session.commit()
    return ok(await _announce(ctx, session, instance_id, events))


@router.post(
    "/api/instances/{instance_id}/events",
    dependencies=[require("ingest")],
    status_code=201,
    response_model=Envelope[schemas.InstanceEventPublic],
)
async def post_event(request: Request, session: SessionDep, instance_id: KnownInstance, body: EventIn) -> Response:
    """Add a typed event (`kind`, `message`, `data`; `commit` for kind `commit`) to a known instance."""
    ctx = _ctx(request)
    if body.kind == "commit" and body.commit is None:
        raise ValidationFailed(
            "An event of kind `commit` needs `commit` with at least its `hash`.",
            details=[{"field": "commit", "problem": "is required for kind `commit`"}],
        )
    _, event = await service.record_event(
        session=session, instance_id=instance_id, body=body, retention=ctx.settings.monitoring.event_retention
    )
    await session.commit()
    await _announce(ctx, session, instance_id, [event])
    return ok(service.present_event(event), status_code=201)


def _client_host(request: Request) -> str:
    client = request.client.host if request.client else None
    if client is None or client in LOOPBACK or client.startswith("127."):
        return socket.gethostname()
    return client


def _hook_payload(raw: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValidationFailed(
            "The body is not valid JSON.", details=[{"field": "body", "problem": "is not valid JSON"}]
        ) from None
    if not isinstance(payload, dict):
        raise ValidationFailed(
            "The body must be a JSON object (a Claude Code hook payload).",
            details=[{"field": "body", "problem": "must be a JSON object"}],
        )
    for field, cap in (("session_id", 200), ("hook_event_name", 100)):
        value = payload.get(field)
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(
                f"`{field}` is required and must be a non-empty string.",
                details=[{"field": field, "problem": "is required (a non-empty string)"}],
            )
        if len(value) > cap:
            raise ValidationFailed(
                f"`{field}` is longer than {cap} characters.",
                details=[{"field": field, "problem": f"must be at most {cap} characters"}],
            )
    host = payload.get("host")
    if host is not None and (not isinstance(host, str) or len(host) > 255):
        raise ValidationFailed(
            "`host` must be a string of at most 255 characters.",
            details=[{"field": "host", "problem": "must be a string of at most 255 characters"}],
        )
    return payload


@router.post(
    "/api/hooks/claude-code",
    dependencies=[require("ingest")],
    status_code=204,
    tags=["hooks"],
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
async def claude_code_hook(request: Request, session: SessionDep) -> Response:
    """The raw Claude Code hook payload, as an `http` hook (or `jarvis hook`) posts it; unknown events and
    fields are kept. Answers 204 with no body: Claude Code reads a 2xx JSON body as hook output."""
    ctx = _ctx(request)
    payload = _hook_payload(await request.body())
    host = str(payload.get("host") or _client_host(request))
    retention = ctx.settings.monitoring.event_retention
    try:
        row, event = await service.record_hook(session=session, payload=payload, host=host, retention=retention)
        await session.commit()
    except IntegrityError:  # the session's first two events raced
        await session.rollback()
        row, event = await service.record_hook(session=session, payload=payload, host=host, retention=retention)
        await session.commit()
    await _announce(ctx, session, row.id, [event])
    return Response(status_code=204)
