"""/api/notifications/*: channels (status, test) and the delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from jarvis.core.auth import require
from jarvis.core.context import context_of
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.errors import DependencyDown, NotFound
from jarvis.core.jsonresp import ok
from jarvis.notifications import schemas
from jarvis.notifications.models import Delivery
from jarvis.notifications.service import NOTIFIER, Notifier, channel_status, public
from jarvis.settings import ChannelConfig

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


async def notifier_of(request: Request) -> Notifier:
    return context_of(request).extras[NOTIFIER]


NotifierDep = Annotated[Notifier, Depends(notifier_of)]


async def channel_by_name(name: str, notifier: NotifierDep) -> ChannelConfig:
    channel = notifier.channels.get(name)
    if channel is None:
        raise NotFound(
            f"No channel named {name!r} in [[notifications.channels]].",
            details=[{"field": "name", "problem": "unknown"}],
        )
    return channel


@router.get("/channels", dependencies=[require("read")], response_model=Envelope[schemas.ChannelList])
async def list_channels(notifier: NotifierDep, session: SessionDep) -> Response:
    """Each channel with its status (`ok`, `degraded`, `failing`, `untested`) and last error; no secrets."""
    return ok({"channels": [await channel_status(session, channel) for channel in notifier.channels.values()]})


@router.post("/channels/{name}/test", dependencies=[require("admin")], response_model=Envelope[schemas.DeliverySent])
async def test_channel(channel: Annotated[ChannelConfig, Depends(channel_by_name)], notifier: NotifierDep) -> Response:
    """Send a test message now (with the channel's retries); 503 naming the error if it fails."""
    row = await notifier.send_test(channel)
    if row.status != "delivered":
        raise DependencyDown(
            f"The test message to {channel.name} failed: {row.error}.",
            details=[{"field": "channel", "problem": row.error or "failed"}],
        )
    return ok({"delivery": public(row)})


@router.get("/deliveries", dependencies=[require("read")], response_model=Envelope[schemas.DeliveryList])
async def deliveries(
    session: SessionDep,
    channel: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """The delivery log, newest first."""
    query = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if channel:
        query = query.where(Delivery.channel == channel)
    rows = (await session.scalars(query)).all()
    return ok({"deliveries": [public(row) for row in rows]})
