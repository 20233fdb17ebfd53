"""Health services: the dashboard section, the services' public views, and their changes.

Routes call these; the scheduler (`ctx.extras[SCHEDULER]`) holds the live state, the
database holds results, roll-ups and the services added through the API.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.errors import Conflict, NotFound, Unprocessable, ValidationFailed, describe_validation
from jarvis.core.outbound import OutboundPolicy
from jarvis.health import maintenance, push, store
from jarvis.health.history import history
from jarvis.health.maintenance import MaintenanceCreate
from jarvis.health.models import MaintenanceWindow, PausedService, ServiceRow
from jarvis.health.scheduler import SCHEDULER, HealthScheduler, Live
from jarvis.health.schemas import ServiceUpdate
from jarvis.health.specs import from_config
from jarvis.health.status_page import status_page
from jarvis.settings import ServiceConfig

UPTIME_KEY = "health:uptime"
UPTIME_TTL_S = 30.0  # uptime over days moves slowly; one grouped query per 30 s at most
MAX_SERVICES = 5000
RECENT_SHOWN = 30


def scheduler_of(ctx: AppContext) -> HealthScheduler:
    scheduler = ctx.extras[SCHEDULER]
    return scheduler


def overall(statuses: list[str]) -> str:
    """Healthy when all checked services are, offline when none is up, degraded otherwise;
    `unknown` until at least one service has been checked."""
    known = [status for status in statuses if status != "unknown"]
    if not known:
        return "unknown"
    if all(status == "healthy" for status in known):
        return "healthy"
    if all(status == "offline" for status in known):
        return "offline"
    return "degraded"


async def uptimes(ctx: AppContext, *, fresh: bool = False) -> dict[str, dict[str, float | None]]:
    async def compute() -> dict[str, dict[str, float | None]]:
        async with ctx.db.sessions() as session:
            return await store.uptime(session, now=clock.now())

    if fresh:
        ctx.cache.invalidate(UPTIME_KEY)
    lookup = await ctx.cache.get_or_compute(UPTIME_KEY, UPTIME_TTL_S, compute)
    result: dict[str, dict[str, float | None]] = lookup.value
    return result


def view(live: Live, uptime: dict[str, float | None] | None) -> dict[str, Any]:
    """One service as the dashboard and `/api/services` show it."""
    latencies = sorted(latency for _, status, latency in live.recent if latency is not None and status in store.UP)
    recent = list(live.recent)[-RECENT_SHOWN:]
    return {
        "name": live.spec.name,
        "kind": live.spec.kind,
        "target": live.spec.target,
        "status": live.status,
        "latency_ms": None if live.latency_ms is None else round(live.latency_ms, 1),
        "http_status": live.http_status,
        "error": live.error,
        "last_checked": clock.iso(live.last_checked),
        "last_change": clock.iso(live.last_change),
        "maintenance_until": clock.iso(live.maintenance_until),  # set while a maintenance window covers it
        "paused_at": clock.iso(live.paused_at),  # set while a person has paused its checks
        "uptime": uptime or dict.fromkeys(store.WINDOWS),
        "latency_p50_ms": store.percentile(latencies, 50),
        "latency_p95_ms": store.percentile(latencies, 95),
        "recent": [
            {"at": clock.iso(at), "status": status, "latency_ms": None if latency is None else round(latency, 1)}
            for at, status, latency in recent
        ],
    }


def detail(live: Live, uptime: dict[str, float | None] | None) -> dict[str, Any]:
    """`view` plus where the service comes from and its configuration (env var names, no values)."""
    data = view(live, uptime)
    data["source"] = live.spec.source
    data["interval_s"] = live.spec.interval_s
    data["config"] = live.spec.config.model_dump(mode="json") if live.spec.config else None
    return data


async def dashboard_section(ctx: AppContext) -> dict[str, Any]:
    """The dashboard's health section (its shape is in docs/api.md)."""
    scheduler = scheduler_of(ctx)
    error: str | None = None
    try:
        await scheduler.ensure_loaded()
        all_uptime = await uptimes(ctx)
    except Exception as exc:  # the section still shows what the scheduler knows
        error = f"cannot read check history: {type(exc).__name__}"
        all_uptime = {}
    services = [view(live, all_uptime.get(name)) for name, live in sorted(scheduler.services.items())]
    return {
        "overall": overall([service["status"] for service in services]),
        "services": services,
        "collector_error": error,
        "timestamp": clock.iso(clock.now()),
    }


async def list_services(ctx: AppContext) -> list[dict[str, Any]]:
    scheduler = scheduler_of(ctx)
    await scheduler.ensure_loaded()
    all_uptime = await uptimes(ctx)
    return [detail(live, all_uptime.get(name)) for name, live in sorted(scheduler.services.items())]


async def lookup(ctx: AppContext, name: str) -> Live:
    scheduler = scheduler_of(ctx)
    await scheduler.ensure_loaded()
    live = scheduler.services.get(name)
    if live is None:
        raise NotFound(f"No service named {name!r}; GET /api/services lists them.", details=[_field("name", "unknown")])
    return live


async def check_now(ctx: AppContext, name: str) -> dict[str, Any]:
    """Check one service now, outside its schedule; the result is recorded (and uptimes recomputed)."""
    live = await lookup(ctx, name)
    if live.spec.kind == "push":
        raise Conflict(
            f"{live.spec.name!r} is a push monitor: it is checked by its pings, not fetched.",
            details=[_field("name", "is a push monitor")],
        )
    outcome = await scheduler_of(ctx).check_now(live.spec.name)
    ctx.cache.invalidate(UPTIME_KEY)
    return {"service": live.spec.name, **outcome.as_dict()}


async def service_history(ctx: AppContext, name: str, window: str) -> dict[str, Any]:
    """Points (raw for 24h, hourly beyond), uptime, latency p50/p95 and recent failures of one service."""
    live = await lookup(ctx, name)
    async with ctx.db.sessions() as session:
        return await history(session, live=live, window=window)


def _field(name: str, problem: str) -> dict[str, str]:
    return {"field": name, "problem": problem}


def _editable(live: Live) -> None:
    if live.spec.source != "api":
        how = (
            "edit jarvis.toml to change it"
            if live.spec.source == "config"
            else "it is a built-in default: edit jarvis.toml (a [[services]] entry with its name replaces it)"
        )
        raise Conflict(
            f"Service {live.spec.name!r} is not defined through the API; {how}.",
            details=[_field("name", f"defined in {live.spec.source}, not through the API")],
        )


def _check_secrets(ctx: AppContext, config: ServiceConfig) -> None:
    """A service made through the API may only send the environment variables `server.secret_env_allow` lists."""
    allowed = set(ctx.settings.server.secret_env_allow)
    named = [(f"headers_env.{header}", env) for header, env in config.headers_env.items()]
    if config.bearer_env:
        named.append(("bearer_env", config.bearer_env))
    refused = [(field, env) for field, env in named if env not in allowed]
    if refused:
        raise ValidationFailed(
            f"`{refused[0][1]}` may not be sent by a service created through the API; list it in "
            "`server.secret_env_allow` in jarvis.toml, or define the service there.",
            details=[
                _field(field, f"names {env}, which server.secret_env_allow does not list") for field, env in refused
            ],
        )


async def _check_target(ctx: AppContext, config: ServiceConfig) -> None:
    """A service made through the API may only point where `server.outbound_allow` lets it (SSRF defence;
    each connection is checked again when the check runs)."""
    if config.kind == "push":  # it connects nowhere
        return
    if config.kind == "tcp":
        field, host, port = "host", str(config.host), int(config.port or 0)
    else:
        url = httpx.URL(str(config.url))
        field, host, port = "url", url.host, url.port or (443 if url.scheme == "https" else 80)
    problem = await OutboundPolicy(ctx.settings.server.outbound_allow).target_problem(host, port)
    if problem is not None:
        raise ValidationFailed(
            f"A service created through the API may not connect there: {problem}. List its network in "
            "`server.outbound_allow` in jarvis.toml, or define the service there.",
            details=[_field(field, problem)],
        )


async def create_service(ctx: AppContext, *, session: AsyncSession, config: ServiceConfig) -> tuple[Live, str | None]:
    """The new service, and for a push monitor its ping token (shown this once: only its hash is kept)."""
    _check_secrets(ctx, config)
    await _check_target(ctx, config)
    scheduler = scheduler_of(ctx)
    await scheduler.ensure_loaded()
    if config.name in scheduler.services:
        raise Conflict(
            f"A service named {config.name!r} already exists; PATCH it or pick another name.",
            details=[_field("name", "already exists")],
        )
    if len(scheduler.services) >= MAX_SERVICES:
        raise Unprocessable(f"At most {MAX_SERVICES} services can be watched.", details=[_field("name", "too many")])
    now = clock.now()
    token = push.new_token() if config.kind == "push" else None
    session.add(
        ServiceRow(
            name=config.name,
            config=config.model_dump(mode="json"),
            push_token_sha256=push.token_hash(token) if token else None,
            created_at=now,
            updated_at=now,
        )
    )
    await session.commit()
    scheduler.upsert(from_config(config, "api"))
    ctx.mark_changed("health")
    return scheduler.services[config.name], token


async def ping(ctx: AppContext, *, token: str, down: bool, message: str | None) -> dict[str, Any]:
    """A push monitor's ping, by its secret token; an unknown token is a 404 that says nothing more."""
    async with ctx.db.sessions() as session:
        name = await session.scalar(
            select(ServiceRow.name).where(ServiceRow.push_token_sha256 == push.token_hash(token))
        )
    scheduler = scheduler_of(ctx)
    await scheduler.ensure_loaded()
    if name is None or name not in scheduler.services:
        raise NotFound(
            "No push monitor has this URL; copy it again from when the monitor was created.",
            details=[_field("token", "unknown")],
        )
    outcome = scheduler.ping(name, down=down, message=message)
    ctx.cache.invalidate(UPTIME_KEY)
    ctx.mark_changed("health")
    return {"service": name, **outcome.as_dict()}


async def update_service(ctx: AppContext, *, session: AsyncSession, live: Live, patch: ServiceUpdate) -> Live:
    _editable(live)
    assert live.spec.config is not None
    merged = {**live.spec.config.model_dump(), **patch.model_dump(exclude_unset=True)}
    try:
        config = ServiceConfig.model_validate(merged)
    except ValidationError as exc:
        message, details = describe_validation(exc.errors())
        raise ValidationFailed(message, details=details) from None
    _check_secrets(ctx, config)
    await _check_target(ctx, config)
    row = await session.get(ServiceRow, config.name)
    if row is None:  # deleted meanwhile by another request
        raise NotFound(f"No service named {config.name!r}.", details=[_field("name", "unknown")])
    row.config = config.model_dump(mode="json")
    row.updated_at = clock.now()
    await session.commit()
    scheduler = scheduler_of(ctx)
    scheduler.upsert(from_config(config, "api"))
    ctx.mark_changed("health")
    return scheduler.services[config.name]


async def delete_service(ctx: AppContext, *, session: AsyncSession, live: Live) -> None:
    _editable(live)
    await store.delete_service_data(session, name=live.spec.name)
    await session.commit()
    scheduler_of(ctx).remove(live.spec.name)
    ctx.cache.invalidate(UPTIME_KEY)
    ctx.mark_changed("health")


async def public_status(ctx: AppContext) -> dict[str, Any] | None:
    """The status page's figures (`status_page.py`), or None when `[status_page]` is not enabled."""
    if not ctx.settings.status_page.enabled:
        return None
    return await status_page(ctx)


async def list_maintenance(ctx: AppContext) -> list[dict[str, Any]]:
    scheduler = scheduler_of(ctx)
    await scheduler.ensure_loaded()
    now = clock.now()
    return [window.public(now) for window in scheduler.windows]


def _overlaps(new: MaintenanceCreate, old: maintenance.Window) -> bool:
    if new.starts_at is None or new.ends_at is None or old.starts_at is None or old.ends_at is None:
        return False  # recurring windows may overlap anything: occurrences simply merge
    shared = not new.services or not old.services or bool(set(new.services) & set(old.services))
    return shared and new.starts_at < old.ends_at and old.starts_at < new.ends_at


async def create_maintenance(ctx: AppContext, body: MaintenanceCreate) -> dict[str, Any]:
    """Checks that name what is wrong (inverted, unknown service, overlapping), then stores and applies it."""
    scheduler = scheduler_of(ctx)
    await scheduler.ensure_loaded()
    unknown = [(i, name) for i, name in enumerate(body.services) if name not in scheduler.services]
    if unknown:
        raise ValidationFailed(
            f"No service named {unknown[0][1]!r}; see GET /api/services for the names.",
            details=[_field(f"services.{i}", "unknown service") for i, _ in unknown],
        )
    if body.starts_at is not None and body.ends_at is not None and body.ends_at <= body.starts_at:
        raise ValidationFailed(
            "The window ends before it starts.", details=[_field("ends_at", "is not after starts_at")]
        )
    clash = next((window for window in scheduler.windows if _overlaps(body, window)), None)
    if clash is not None:
        raise Conflict(
            f"It overlaps maintenance window {clash.id} for the same services; change that one or pick other times.",
            details=[_field("starts_at", f"overlaps window {clash.id}")],
        )
    if len(scheduler.windows) >= maintenance.MAX_WINDOWS:
        raise Unprocessable(
            f"At most {maintenance.MAX_WINDOWS} maintenance windows.", details=[_field("body", "too many")]
        )
    row = MaintenanceWindow(**body.model_dump(), created_at=clock.now())
    async with ctx.db.sessions() as session:
        session.add(row)
        await session.commit()
    window = maintenance.Window.of(row)
    scheduler.windows.append(window)
    ctx.mark_changed("health")
    return window.public(clock.now())


async def delete_maintenance(ctx: AppContext, window_id: int) -> None:
    scheduler = scheduler_of(ctx)
    await scheduler.ensure_loaded()
    async with ctx.db.sessions() as session:
        row = await session.get(MaintenanceWindow, window_id)
        if row is None:
            raise NotFound(f"No maintenance window {window_id}.", details=[_field("id", "unknown")])
        await session.delete(row)
        await session.commit()
    scheduler.windows = [window for window in scheduler.windows if window.id != window_id]
    ctx.mark_changed("health")


async def editable_config(ctx: AppContext, name: str) -> dict[str, Any] | None:
    """The configuration of a service made through the API (the one kind the UI may edit), else None."""
    scheduler = scheduler_of(ctx)
    await scheduler.ensure_loaded()
    live = scheduler.services.get(name)
    if live is None or live.spec.source != "api" or live.spec.config is None:
        return None
    return live.spec.config.model_dump(mode="json")


async def set_paused(ctx: AppContext, name: str, *, paused: bool) -> dict[str, Any]:
    """Pause (no checks, no alerts, until resumed) or resume a service; kept across restarts."""
    live = await lookup(ctx, name)
    async with ctx.db.sessions() as session:
        row = await session.get(PausedService, live.spec.name)
        if paused and row is None:
            session.add(PausedService(service=live.spec.name, paused_at=clock.now()))
        elif not paused and row is not None:
            await session.delete(row)
        await session.commit()
    live.paused_at = (live.paused_at or clock.now()) if paused else None
    ctx.mark_changed("health")
    return {"service": live.spec.name, "paused_at": clock.iso(live.paused_at)}
