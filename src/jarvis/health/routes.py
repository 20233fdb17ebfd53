"""Services API: list, detail, history, check now, and changes to API-defined services.

(`GET /api/dashboard/health` is served by the dashboard from `service.dashboard_section`.)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from jarvis.core.auth import require
from jarvis.core.context import AppContext
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.jsonresp import ok
from jarvis.health import schemas, service
from jarvis.health.scheduler import Live
from jarvis.health.schemas import ServiceCreate, ServiceUpdate, Window

router = APIRouter(prefix="/api/services", tags=["health"])


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def _service(request: Request, name: Annotated[str, Path(max_length=63)]) -> Live:
    """The lookup-and-404 every `/{name}` route shares."""
    return await service.lookup(_ctx(request), name)


ServiceDep = Annotated[Live, Depends(_service)]


@router.get("", dependencies=[require("read")], response_model=Envelope[schemas.ServiceList])
async def list_services(request: Request) -> Response:
    """Every watched service: defaults, jarvis.toml and API-defined, with status and uptime."""
    return ok({"services": await service.list_services(_ctx(request))})


@router.post("", dependencies=[require("admin")], status_code=201, response_model=Envelope[schemas.ServiceDetail])
async def create(request: Request, body: ServiceCreate, session: SessionDep) -> Response:
    """Watch a new service (the fields of one `[[services]]` entry); its first check follows within a second."""
    ctx = _ctx(request)
    live = await service.create_service(ctx, session=session, config=body)
    return ok(service.detail(live, None), status_code=201)


@router.get("/{name}", dependencies=[require("read")], response_model=Envelope[schemas.ServiceDetail])
async def get_service(request: Request, live: ServiceDep) -> Response:
    uptime = (await service.uptimes(_ctx(request))).get(live.spec.name)
    return ok(service.detail(live, uptime))


@router.patch("/{name}", dependencies=[require("admin")], response_model=Envelope[schemas.ServiceDetail])
async def update(request: Request, live: ServiceDep, body: ServiceUpdate, session: SessionDep) -> Response:
    """Change an API-defined service; services from jarvis.toml answer 409."""
    ctx = _ctx(request)
    updated = await service.update_service(ctx, session=session, live=live, patch=body)
    return ok(service.detail(updated, (await service.uptimes(ctx)).get(updated.spec.name)))


@router.delete("/{name}", dependencies=[require("admin")], response_model=Envelope[schemas.ServiceDeleted])
async def remove(request: Request, live: ServiceDep, session: SessionDep) -> Response:
    """Stop watching an API-defined service and drop its history; jarvis.toml ones answer 409."""
    await service.delete_service(_ctx(request), session=session, live=live)
    return ok({"deleted": live.spec.name})


@router.get("/{name}/history", dependencies=[require("read")], response_model=Envelope[schemas.ServiceHistory])
async def get_history(
    request: Request, live: ServiceDep, window: Annotated[Window, Query(description="24h, 7d or 30d")] = "24h"
) -> Response:
    """Points (raw for 24h, hourly beyond), uptime, latency p50/p95 and recent failures."""
    return ok(await service.service_history(_ctx(request), live.spec.name, window))


@router.post("/{name}/check", dependencies=[require("admin")], response_model=Envelope[schemas.CheckResult])
async def check_now(request: Request, live: ServiceDep) -> Response:
    """Check the service now, outside its schedule; the result is recorded and returned."""
    return ok(await service.check_now(_ctx(request), live.spec.name))
