"""Instances JSON API: list/detail, heartbeats, typed events, the Claude Code hook receiver, archive and delete.

Routes only translate: writes go to `ingest.submit` (group commit), which also announces them."""

from __future__ import annotations

import socket
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from jarvis.core.auth import LOOPBACK, require
from jarvis.core.context import CtxDep, context_of
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.errors import NotFound, ValidationFailed
from jarvis.core.jsonresp import ok
from jarvis.instances import ingest, schemas, service
from jarvis.instances.models import Instance
from jarvis.instances.schemas import INSTANCE_ID_PATTERN, EventIn, HeartbeatIn

router = APIRouter(tags=["instances"])
InstanceIdPath = Annotated[str, Path(pattern=INSTANCE_ID_PATTERN, max_length=160)]


async def known_instance(ctx: CtxDep, instance_id: InstanceIdPath) -> str:
    """Lookup-and-404: an id from the database or the tracker file. Its own short session: a request that held
    a pooled connection while it waits for the group-commit writer (which needs one too) could, with enough of
    them at once, take every connection and wait for ever."""
    if service.known_in_tracker(ctx, instance_id):
        return instance_id
    async with ctx.db.sessions() as session:
        found = await session.get(Instance, instance_id)
    if found is not None:
        return instance_id
    raise NotFound(
        f"No instance with id `{instance_id}`.", details=[{"field": "instance_id", "problem": "unknown instance"}]
    )


KnownInstance = Annotated[str, Depends(known_instance)]


@router.get(
    "/api/instances",
    dependencies=[require("read")],
    summary="Every instance, merged across sources",
    response_model=Envelope[schemas.InstanceList],
)
async def list_instances(ctx: CtxDep, session: SessionDep) -> Response:
    """Not archived; those that need someone first (see `attention`), then by latest activity."""
    return ok({"instances": await service.list_instances(ctx, session=session)})


@router.get(
    "/api/instances/{instance_id}", dependencies=[require("read")], response_model=Envelope[schemas.InstanceDetail]
)
async def get_instance(
    ctx: CtxDep,
    session: SessionDep,
    instance_id: KnownInstance,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The instance, its timeline (newest first), its tasks and its open blockers."""
    detail = await service.instance_detail(ctx, session=session, instance_id=instance_id, limit=limit)
    return ok(detail)


@router.post(
    "/api/instances/{instance_id}/heartbeat",
    dependencies=[require("ingest")],
    response_model=Envelope[schemas.InstancePublic],
)
async def heartbeat(ctx: CtxDep, instance_id: InstanceIdPath, body: HeartbeatIn) -> Response:
    """Create or refresh an instance (`status` required; everything else optional)."""
    written = await ingest.submit(ctx, ingest.Heartbeat(instance_id, body))
    return ok(written.instance)


@router.post(
    "/api/instances/{instance_id}/events",
    dependencies=[require("ingest")],
    status_code=201,
    response_model=Envelope[schemas.InstanceEventPublic],
)
async def post_event(ctx: CtxDep, instance_id: KnownInstance, body: EventIn) -> Response:
    """Add a typed event (`kind`, `message`, `data`; `commit` for kind `commit`) to a known instance."""
    if body.kind == "commit" and body.commit is None:
        raise ValidationFailed(
            "An event of kind `commit` needs `commit` with at least its `hash`.",
            details=[{"field": "commit", "problem": "is required for kind `commit`"}],
        )
    written = await ingest.submit(ctx, ingest.Event(instance_id, body))
    return ok(service.present_event(written.events[0]), status_code=201)


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
    dependencies=[require("ingest", fast=True)],
    status_code=204,
    tags=["hooks"],
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
async def claude_code_hook(request: Request) -> Response:
    """The raw Claude Code hook payload, as an `http` hook (or `jarvis hook`) posts it; unknown events and
    fields are kept. Answers 204 with no body: Claude Code reads a 2xx JSON body as hook output.
    Answered on the gateway's fast path (it takes only the request): a fleet sends tens a second."""
    payload = _hook_payload(await request.body())
    host = str(payload.get("host") or _client_host(request))
    await ingest.submit(context_of(request), ingest.Hook(payload, host))
    return Response(status_code=204)


@router.post(
    "/api/instances/{instance_id}/archive",
    dependencies=[require("write")],
    response_model=Envelope[schemas.InstancePublic],
)
async def archive_instance(ctx: CtxDep, session: SessionDep, instance_id: KnownInstance) -> Response:
    """Hide an instance from the dashboard; its timeline stays. A new event from it brings it back."""
    return ok(await service.archive(ctx, session=session, instance_id=instance_id), message="Instance archived")


@router.delete("/api/instances/{instance_id}", dependencies=[require("write")], status_code=204)
async def delete_instance(ctx: CtxDep, session: SessionDep, instance_id: KnownInstance) -> Response:
    """Delete an instance and its timeline (a tracker-file instance comes back while the file lists it)."""
    await service.remove(ctx, session=session, instance_id=instance_id)
    return Response(status_code=204)
