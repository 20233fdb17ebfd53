"""The HTML pages: `/` (the dashboard), `/fragments/{section}`, `/instances/{id}`, `/services/{name}`.

Live updates: the page follows the existing JSON stream (`/api/dashboard/stream`); when an event
names a changed section, the browser fetches `/fragments/{section}` — the same Jinja partial the
first response used — and swaps it in. One template source for both, and the stream stays the
documented JSON contract for API clients.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import HTMLResponse, Response

from jarvis.core.auth import require
from jarvis.core.context import AppContext
from jarvis.core.errors import NotFound
from jarvis.core.sections import Section, is_section
from jarvis.dashboard.snapshot import snapshot_of
from jarvis.health import service as health_service
from jarvis.instances import hook_install
from jarvis.instances import service as instances_service
from jarvis.web import views
from jarvis.web.history import PERIODS, service_history
from jarvis.web.templating import render, templates

router = APIRouter(include_in_schema=False, dependencies=[require("read")])
TIMELINE_LIMIT = 200


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def _sections(ctx: AppContext) -> tuple[dict[str, Any], int]:
    snapshot = snapshot_of(ctx)
    built = await snapshot.sections()
    return {name: part.data for name, part in built.items()}, snapshot.version


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    sections, version = await _sections(_ctx(request))
    view = views.dashboard_view(sections)
    base_url = str(request.base_url).rstrip("/")
    context = {"view": view, "version": version, "nav": "dashboard", "page": "dashboard", "base_url": base_url}
    if view.empty:
        context["hook"] = _hook_setup(base_url)
    return render(request, "dashboard/index.html", context)


def _hook_setup(base_url: str) -> dict[str, str]:
    """What the welcome panel tells a user to run (or paste) to connect Claude Code to this server."""
    jarvis = hook_install.jarvis_executable()
    return {
        "install": hook_install.install_command(jarvis, base_url),
        "settings": hook_install.settings_snippet(hook_install.hook_command(jarvis, base_url)),
        "http_url": base_url + hook_install.HOOK_PATH,
    }


@router.get("/fragments/attention", response_class=HTMLResponse)
async def attention_fragment(request: Request) -> Response:
    """The "Needs you" strip, from the instances section (it changes when that section does)."""
    built = await snapshot_of(_ctx(request)).section("instances")
    response: HTMLResponse = templates.TemplateResponse(
        request, "dashboard/_attention.html", {"d": views.section_data(built.data)}
    )
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/fragments/{section}", response_class=HTMLResponse)
async def fragment(request: Request, section: Annotated[str, Path(max_length=32)]) -> Response:
    """The inner HTML of one dashboard section, as the first response rendered it."""
    if not is_section(section):
        raise NotFound(f"There is no dashboard section named {section!r}.")
    built = await snapshot_of(_ctx(request)).section(cast(Section, section))
    context = {"d": views.section_data(built.data)}
    response: HTMLResponse = templates.TemplateResponse(request, f"dashboard/_{section}.html", context)
    response.headers["cache-control"] = "no-store"
    return response


async def _instance_context(ctx: AppContext, instance_id: str) -> dict[str, Any]:
    async with ctx.db.sessions() as session:
        detail = await instances_service.instance_detail(
            ctx, session=session, instance_id=instance_id, limit=TIMELINE_LIMIT
        )
    if detail.get("instance") is None:
        raise NotFound(f"No instance named {instance_id!r} has reported; check the id on the dashboard.")
    return detail


@router.get("/instances/{instance_id}", response_class=HTMLResponse)
async def instance_page(request: Request, instance_id: Annotated[str, Path(max_length=200)]) -> Response:
    detail = await _instance_context(_ctx(request), instance_id)
    context = {"detail": detail, "nav": "dashboard", "page": "instance"}
    return render(request, "dashboard/instance.html", context)


@router.get("/fragments/instances/{instance_id}", response_class=HTMLResponse)
async def instance_fragment(request: Request, instance_id: Annotated[str, Path(max_length=200)]) -> Response:
    detail = await _instance_context(_ctx(request), instance_id)
    response: HTMLResponse = templates.TemplateResponse(request, "dashboard/_instance_body.html", {"detail": detail})
    response.headers["cache-control"] = "no-store"
    return response


FilterValue = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True, slots=True)
class ActivityFilters:
    """`?instance=&repo=&host=&kind=` of the activity page and its fragment; an empty value is no filter."""

    instance: FilterValue = None
    repo: FilterValue = None
    host: FilterValue = None
    kind: FilterValue = None

    def query(self) -> str:
        return "&".join(f"{key}={quote(value)}" for key, value in asdict(self).items() if value)


ActivityFiltersDep = Annotated[ActivityFilters, Depends()]


async def _activity_context(ctx: AppContext, filters: ActivityFilters) -> dict[str, Any]:
    async with ctx.db.sessions() as session:
        feed = await instances_service.activity(
            session=session,
            instance=filters.instance or None,
            repo=filters.repo or None,
            host=filters.host or None,
            kind=filters.kind or None,
        )
        pulse = await instances_service.pulse(session=session)
    return {"feed": feed, "pulse": pulse, "filters": asdict(filters), "query": filters.query()}


@router.get("/activity", response_class=HTMLResponse)
async def activity_page(request: Request, filters: ActivityFiltersDep) -> Response:
    """Every session's hook events in one live feed, filterable, with the tool-call pulse of each session."""
    context = await _activity_context(_ctx(request), filters)
    return render(request, "dashboard/activity.html", {**context, "nav": "activity", "page": "activity"})


@router.get("/fragments/activity", response_class=HTMLResponse)
async def activity_fragment(request: Request, filters: ActivityFiltersDep) -> Response:
    context = await _activity_context(_ctx(request), filters)
    response: HTMLResponse = templates.TemplateResponse(request, "dashboard/_activity.html", context)
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/services/new", response_class=HTMLResponse)
async def new_service_page(request: Request) -> Response:
    """The form that adds a service (the API checks it: errors show next to their field)."""
    return render(request, "dashboard/service_new.html", {"nav": "dashboard", "page": "service-new"})


@router.get("/services/{name}", response_class=HTMLResponse)
async def service_page(
    request: Request,
    name: Annotated[str, Path(max_length=100)],
    period: Annotated[str, Query(pattern="^(24h|7d|30d)$")] = "24h",
) -> Response:
    ctx = _ctx(request)
    history = await service_history(ctx, name, period)
    health = views.section_data((await snapshot_of(ctx).section("health")).data)
    service = views.find_service(health, name) or {"name": name}
    context = {
        "service": service,
        "service_config": await health_service.editable_config(ctx, name),
        "history": history,
        "period": period,
        "periods": PERIODS,
        "nav": "dashboard",
        "page": "service",
    }
    return render(request, "dashboard/service.html", context)
