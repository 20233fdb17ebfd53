"""The service page's data: the health domain's history service, read through its public functions,
turned into chart points (24 h is raw checks; 7 d / 30 d are hourly roll-ups)."""

from __future__ import annotations

from typing import Any

from jarvis.core.context import AppContext
from jarvis.health import service as health_service
from jarvis.web.filters import is_number

PERIODS = ("24h", "7d", "30d")
STRIP_SLOTS = 90  # status strip bars: enough to read, few enough to stay light at 30 days hourly
SEVERITY = {"unknown": 0, "healthy": 1, "degraded": 2, "offline": 3}


def _hour_status(point: dict[str, Any]) -> str:
    uptime = point.get("uptime")
    if not point.get("count") or not is_number(uptime):
        return "unknown"
    if uptime >= 100:
        return "healthy"
    return "offline" if uptime <= 0 else "degraded"


def chart_points(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One shape for both resolutions: {at, status, latency_ms}."""
    out: list[dict[str, Any]] = []
    for point in points:
        if "status" in point:
            out.append({"at": point.get("at"), "status": point.get("status"), "latency_ms": point.get("latency_ms")})
        else:
            latency = point.get("latency_avg_ms")
            if not is_number(latency):
                latency = point.get("latency_p50_ms")
            out.append({"at": point.get("at"), "status": _hour_status(point), "latency_ms": latency})
    return out


def strip(points: list[dict[str, Any]], slots: int = STRIP_SLOTS) -> list[dict[str, Any]]:
    """At most `slots` bars: consecutive points grouped, the worst status of a group shown."""
    if len(points) <= slots:
        return points
    size = -(-len(points) // slots)
    grouped: list[dict[str, Any]] = []
    for start in range(0, len(points), size):
        group = points[start : start + size]
        worst = max(group, key=lambda p: SEVERITY.get(str(p.get("status")), 0))
        grouped.append({"at": group[0].get("at"), "status": worst.get("status"), "latency_ms": None})
    return grouped


async def service_history(ctx: AppContext, name: str, period: str) -> dict[str, Any]:
    """History for one service plus `chart` and `strip` points; raises NotFound if unknown."""
    data = await health_service.service_history(ctx, name, period)
    chart = chart_points(list(data.get("points") or []))
    return {**data, "chart": chart, "strip": strip(chart)}
