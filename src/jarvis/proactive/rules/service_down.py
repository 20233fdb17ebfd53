"""A service offline or degraded for longer than N minutes (offline: critical, degraded: high)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, duration, minutes_since

NAME = "service_down"


class Settings(RuleSettings):
    minutes: float = Field(5.0, ge=0)  # offline this long before it is worth saying
    degraded_minutes: float = Field(15.0, ge=0)


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for service in state.section("health").get("services") or []:
        status = service.get("status")
        if status not in ("offline", "degraded") or service.get("maintenance_until") or service.get("paused_at"):
            continue  # down by plan, or not watched for now: nothing to say
        threshold = cfg.minutes if status == "offline" else cfg.degraded_minutes
        since = service.get("last_change") or service.get("last_checked")
        minutes = minutes_since(state, since)
        if minutes is None or minutes < threshold:
            continue
        findings.append(_finding(service, status, minutes))
    return findings


def _finding(service: dict[str, Any], status: str, minutes: float) -> Finding:
    name = str(service.get("name"))
    error = service.get("error")
    detail = f" The last check said: {error}." if error else ""
    uptime = (service.get("uptime") or {}).get("24h")
    uptime_text = f" Uptime over 24 h is {uptime}%." if uptime is not None else ""
    return Finding(
        rule=NAME,
        kind=f"service_{status}",
        key=f"{NAME}:{name}",
        title=f"{name} is {status}",
        why=f"The health check of {name} has reported {status} since {service.get('last_change')} "
        f"({duration(minutes)}).{detail}{uptime_text}",
        link=f"/services/{name}",
        priority="critical" if status == "offline" else "high",
        figures={"service": name, "status": status, "minutes": round(minutes, 1), "error": error},
    )


SPEC = RuleSpec(NAME, "A service offline or degraded for longer than N minutes.", Settings, evaluate)
