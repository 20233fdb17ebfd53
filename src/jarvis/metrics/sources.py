"""Pull sources: poll an HTTP JSON endpoint and turn what it says into metric points.

The outbound call goes through `core.http.fetch` (timeout, size cap, stamina retries),
like a health check. A failing poll stores nothing but its error: the module keeps its
last values, each with its own age, and shows the error.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.http import fetch
from jarvis.core.jsonpath import MISSING, lookup
from jarvis.metrics.modules import KEY_RE, canonical
from jarvis.metrics.store import NewPoint, record_points, save_source_state
from jarvis.settings import MetricSourceConfig

HEALTHY = {"healthy", "ok", "up", "active", "online", "running", "operational", "pass", "green"}
DEGRADED = {"degraded", "warning", "warn", "slow", "partial", "yellow"}
OFFLINE = {"offline", "down", "error", "failed", "failing", "unhealthy", "inactive", "stopped", "fail", "red"}


@dataclass(slots=True)
class Reading:
    """What one response body said."""

    values: dict[str, float] = field(default_factory=dict)
    health: str | None = None
    uptime: float | None = None
    problems: list[str] = field(default_factory=list)


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def health_word(value: Any) -> str:
    if isinstance(value, bool):
        return "healthy" if value else "offline"
    word = str(value).strip().lower()
    if word in HEALTHY:
        return "healthy"
    if word in DEGRADED:
        return "degraded"
    if word in OFFLINE:
        return "offline"
    return "unknown"


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def read(document: Any, source: MetricSourceConfig) -> Reading:
    """Apply the source's map; an empty map reads the AI DAWG module shape."""
    reading = Reading()
    if source.map:
        mapping = source.map
    else:
        metrics = lookup(document, "data.metrics")
        names = metrics if isinstance(metrics, dict) else {}
        # Every number it reports (camelCase names become snake_case keys); text is not a metric.
        mapping = {
            snake(name): f"data.metrics.{name}"
            for name, value in names.items()
            if KEY_RE.match(snake(name)) and as_number(value) is not None and not isinstance(value, str)
        }
    for key, path in mapping.items():
        found = lookup(document, path)
        number = as_number(found)
        if found is MISSING:
            reading.problems.append(f"{path} not found")
        elif number is None:
            reading.problems.append(f"{path} is not a number")
        else:
            reading.values[key] = number
    health_path = source.health_path or (None if source.map else "data.status")
    if health_path:
        found = lookup(document, health_path)
        reading.health = None if found is MISSING else health_word(found)
        if found is MISSING and source.health_path:
            reading.problems.append(f"{health_path} not found")
    uptime_path = source.uptime_path or (None if source.map else "data.uptime")
    if uptime_path:
        found = lookup(document, uptime_path)
        if found is MISSING and source.uptime_path:
            reading.problems.append(f"{uptime_path} not found")
        uptime = as_number(found)
        # A percentage; anything else (seconds since start, say) is not an uptime figure.
        reading.uptime = uptime if uptime is not None and 0 <= uptime <= 100 else None
    return reading


def _headers(source: MetricSourceConfig) -> dict[str, str]:
    return {name: os.environ[env] for name, env in source.headers_env.items() if os.environ.get(env)}


async def poll(ctx: AppContext, source: MetricSourceConfig) -> Reading | None:
    """Poll once, store the values and the outcome; returns the reading (None when it failed)."""
    http = ctx.settings.http
    module = canonical(source.module)
    result = await fetch(
        ctx.http,
        "GET",
        source.url,
        headers=_headers(source),
        timeout_s=source.timeout_s or http.timeout_s,
        max_bytes=http.max_body_bytes,
        attempts=1 + (source.retries if source.retries is not None else http.retry_attempts - 1),
        base_delay_s=http.retry_base_delay_s,
    )
    now = clock.now()
    error = result.error
    reading: Reading | None = None
    if error is None and result.status is not None and not 200 <= result.status < 300:
        error = f"HTTP {result.status}"
    if error is None:
        try:
            reading = read(orjson.loads(result.body), source)
        except orjson.JSONDecodeError:
            error = "the answer is not JSON"
    if reading is not None and not reading.values and reading.health is None:
        error = "; ".join(reading.problems) or "the answer holds no metric"
        reading = None
    async with ctx.db.sessions() as session:
        if reading is not None:
            points = [NewPoint(module, key, value, now, source.name) for key, value in reading.values.items()]
            await record_points(session, points)
        await save_source_state(
            session,
            name=source.name,
            module=module,
            at=now,
            ok=reading is not None,
            health=reading.health if reading else None,
            uptime=reading.uptime if reading else None,
            error=error or ("; ".join(reading.problems) if reading and reading.problems else None),
        )
        await session.commit()
    ctx.hub.publish(
        "metrics.updated",
        {
            "module": module,
            "source": source.name,
            "keys": sorted(reading.values) if reading else [],
            "error": error,
        },
    )
    ctx.mark_changed("business")
    return reading
