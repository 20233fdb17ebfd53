"""Services API: list, detail, history, check now, and changes to API-defined services.

(`GET /api/dashboard/health` is served by the dashboard from `service.dashboard_section`.)
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from jarvis.core.auth import require
from jarvis.core.context import AppContext
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.jsonresp import ok
from jarvis.health import schemas, service
from jarvis.health.maintenance import MaintenanceCreate
from jarvis.health.scheduler import Live
from jarvis.health.schemas import ServiceCreate, ServiceUpdate, Window

router = APIRouter(prefix="/api/services", tags=["health"])
push_router = APIRouter(prefix="/api/push", tags=["health"])
maintenance_router = APIRouter(prefix="/api/maintenance", tags=["health"])


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
    live, token = await service.create_service(ctx, session=session, config=body)
    data = service.detail(live, None)
    if token is not None:  # shown this once: the server keeps only its hash
        base = ctx.settings.notifications.base_url or str(request.base_url)
        data["push_url"] = f"{base.rstrip('/')}/api/push/{token}"
    return ok(data, status_code=201)


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


@router.post("/{name}/pause", dependencies=[require("admin")], response_model=Envelope[schemas.Paused])
async def pause(request: Request, live: ServiceDep) -> Response:
    """Stop checking the service (no results, no alerts) until it is resumed; kept across restarts."""
    return ok(await service.set_paused(_ctx(request), live.spec.name, paused=True))


@router.post("/{name}/resume", dependencies=[require("admin")], response_model=Envelope[schemas.Paused])
async def resume(request: Request, live: ServiceDep) -> Response:
    return ok(await service.set_paused(_ctx(request), live.spec.name, paused=False))


PushToken = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


PUSH_ROUTE: dict[str, Any] = {"dependencies": [require("public")], "response_model": Envelope[schemas.CheckResult]}


@push_router.get("/{token}", operation_id="push_ping_get", **PUSH_ROUTE)  # GET for cron's `curl`, POST for
@push_router.post("/{token}", operation_id="push_ping_post", **PUSH_ROUTE)  # clients that must not GET a change
async def ping(
    request: Request,
    token: PushToken,
    status: Annotated[Literal["up", "down"], Query()] = "up",
    msg: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """A push monitor's ping (public: the secret URL is the credential). `status=down&msg=…` reports a failure."""
    return ok(await service.ping(_ctx(request), token=token, down=status == "down", message=msg))


@maintenance_router.get("", dependencies=[require("read")], response_model=Envelope[schemas.MaintenanceList])
async def list_maintenance(request: Request) -> Response:
    """Every maintenance window, with whether it is active now and until when."""
    return ok({"windows": await service.list_maintenance(_ctx(request))})


@maintenance_router.post(
    "", dependencies=[require("admin")], status_code=201, response_model=Envelope[schemas.MaintenancePublic]
)
async def create_maintenance(request: Request, body: MaintenanceCreate) -> Response:
    """A window when the services (or, with `[]`, all) may be down: no alert, not counted in uptime."""
    return ok(await service.create_maintenance(_ctx(request), body), status_code=201)


@maintenance_router.delete("/{window_id}", dependencies=[require("admin")], response_model=Envelope[schemas.Deleted])
async def delete_maintenance(request: Request, window_id: Annotated[int, Path(ge=1, lt=2**31)]) -> Response:
    await service.delete_maintenance(_ctx(request), window_id)
    return ok({"deleted": window_id})
