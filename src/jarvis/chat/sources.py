"""What chat reads, and the only place it touches other domains.

The dashboard sections come through `ctx.extras[SECTION_READER]` (the same cached data the pages show).
Suggestions (`proactive.service.open_suggestions`), "check now" and a service's history (the health
scheduler's `check_now`, `health.history.history`) and an instance's timeline
(`instances.service.instance_detail`) come from the owning domains' service functions; a failure
there becomes a tool result saying so, never a broken answer.
"""

from __future__ import annotations

from typing import Any

import structlog

from jarvis.core.context import AppContext
from jarvis.core.errors import NotFound
from jarvis.core.sections import SECTION_READER, SECTIONS, Section
from jarvis.health import service as health
from jarvis.instances.service import instance_detail
from jarvis.proactive.service import open_suggestions as listed_suggestions

log = structlog.get_logger("jarvis.chat")


async def section(ctx: AppContext, name: Section) -> dict[str, Any]:
    built = await ctx.extras[SECTION_READER].section(name)
    return built.data


async def sections(ctx: AppContext) -> dict[str, dict[str, Any]]:
    return {name: await section(ctx, name) for name in SECTIONS}


async def open_suggestions(ctx: AppContext) -> list[dict[str, Any]] | None:
    """Open proactive suggestions, or None when the proactive domain is not there to ask."""
    try:
        return await listed_suggestions(ctx, limit=20)
    except Exception:  # a neighbour's failure must not break the chat answer
        log.exception("suggestions_unavailable")
        return None


async def check_service(ctx: AppContext, name: str) -> dict[str, Any]:
    """Run the health domain's check for `name` right now (the API's "check now")."""
    try:
        return await health.check_now(ctx, name)
    except NotFound:
        known = [service.get("name") for service in (await section(ctx, "health")).get("services") or []]
        return {"service": name, "error": "no such service", "known": sorted(str(k) for k in known)}
    except Exception as exc:
        log.exception("check_now_failed", service=name)
        return {"service": name, "error": f"the check could not run: {type(exc).__name__}"}


async def find_service(ctx: AppContext, name: str) -> dict[str, Any] | None:
    health = await section(ctx, "health")
    for service in health.get("services", []) or []:
        if service.get("name") == name:
            return dict(service)
    return None


def _trimmed(data: dict[str, Any], keep: int = 30) -> dict[str, Any]:
    """Long series cut to their last `keep` points, so a tool result stays small."""
    return {key: value[-keep:] if isinstance(value, list) else value for key, value in data.items()}


async def service_history(ctx: AppContext, name: str) -> dict[str, Any]:
    try:
        return {"service": name, **_trimmed(await health.service_history(ctx, name, "24h"))}
    except NotFound:
        return {"service": name, "error": "no such service"}


async def instance_timeline(ctx: AppContext, instance_id: str) -> dict[str, Any]:
    async with ctx.db.sessions() as session:
        detail = await instance_detail(ctx, session=session, instance_id=instance_id, limit=30)
    if detail.get("instance") is None:
        return {"instance": instance_id, "error": "no such instance"}
    return _trimmed(detail)


async def metric_series(ctx: AppContext, module: str, key: str) -> dict[str, Any]:
    data = await section(ctx, "business")
    for item in data.get("modules", []) or []:
        if item.get("id") == module:
            metric = (item.get("metrics") or {}).get(key)
            if metric is None:
                return {
                    "module": module,
                    "key": key,
                    "error": "no such metric",
                    "known": sorted(item.get("metrics") or {}),
                }
            return {"module": module, "key": key, **metric}
    return {"module": module, "key": key, "error": "no such module"}
