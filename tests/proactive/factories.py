"""Section fixtures in the dashboard's shapes (docs/api.md), built relative to a moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from jarvis.core import clock
from jarvis.proactive.rules.base import Habit, State

NOW = datetime.fromisoformat("2026-11-25T12:00:00+00:00")


def ago(minutes: float, now: datetime = NOW) -> str:
    iso = clock.iso(now - timedelta(minutes=minutes))
    assert iso is not None
    return iso


def service(
    name: str, status: str = "healthy", *, since_min: float = 0, now: datetime = NOW, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "kind": "http",
        "target": f"http://127.0.0.1/{name}",
        "status": status,
        "latency_ms": 20.0,
        "http_status": 200,
        "error": None if status == "healthy" else "connection refused or unreachable",
        "last_checked": ago(0, now),
        "last_change": ago(since_min, now),
        "uptime": {"24h": 99.5, "7d": None, "30d": None},
        "latency_p50_ms": 20.0,
        "latency_p95_ms": 30.0,
        "recent": [],
    }
    data.update(extra)
    return data


def checks(
    statuses: list[str], latencies: list[float] | None = None, *, every_min: float = 1, now: datetime = NOW
) -> list[dict[str, Any]]:
    latencies = latencies or [20.0] * len(statuses)
    count = len(statuses)
    return [
        {"at": ago((count - 1 - i) * every_min, now), "status": status, "latency_ms": latency}
        for i, (status, latency) in enumerate(zip(statuses, latencies, strict=True))
    ]


# status → (level, kind, reason) of the `attention` the instances section computes for it
ATTENTION = {
    "waiting": ("high", "permission", "wants to run `make deploy`"),
    "blocked": ("high", "blocked", "reports itself blocked"),
    "stale": ("normal", "stale", "no heartbeat for 1 h"),
    "error": ("critical", "error", "stopped on a billing error"),
}


def agent(ident: str, status: str = "active", *, seen_min: float = 0, now: datetime = NOW) -> dict[str, Any]:
    level = ATTENTION.get(status)
    attention = (
        {
            "level": level[0],
            "kind": level[1],
            "reason": level[2],
            "since": ago(seen_min, now),
            "waiting_s": seen_min * 60,
        }
        if level
        else None
    )
    return {
        "attention": attention,
        "repo": ident,
        "branch": "main",
        "short_id": None,
        "id": ident,
        "name": ident,
        "source": "heartbeat",
        "role": "Backend",
        "status": status,
        "current_task": "ship it",
        "last_seen": ago(seen_min, now),
        "open_blockers": 1 if status == "blocked" else 0,
    }


def blocker(ident: str, *, open_hours: float, severity: str = "high", now: datetime = NOW) -> dict[str, Any]:
    return {
        "id": ident,
        "instance": "agent-a",
        "project": "wave-1",
        "description": "waiting for credentials",
        "severity": severity,
        "opened_at": ago(open_hours * 60, now),
        "age_hours": round(open_hours, 1),
    }


def wave(
    ident: str, *, estimated: float, actual: float, done: int, total: int, status: str = "in_progress"
) -> dict[str, Any]:
    return {
        "id": ident,
        "name": f"Wave {ident}",
        "status": status,
        "completion_percent": round(done / total * 100) if total else 0,
        "tasks_done": done,
        "tasks_total": total,
        "estimated_hours": estimated,
        "actual_hours": actual,
        "remaining_hours": None,
        "assigned_to": [],
        "tasks": [],
    }


def module(ident: str, metrics: dict[str, tuple[float | None, list[float | None]]]) -> dict[str, Any]:
    return {
        "id": ident,
        "name": ident.title(),
        "priority": 1,
        "status": "active",
        "health": "healthy",
        "uptime": None,
        "source": "push",
        "updated_at": None,
        "error": None,
        "metrics": {
            key: {"value": value, "updated_at": None, "history": history} for key, (value, history) in metrics.items()
        },
    }


def financial(**figures: dict[str, Any]) -> dict[str, Any]:
    flat = {name: figure.get("value") for name, figure in figures.items()}
    return {**flat, "figures": figures, "period": "2026-11", "calculation_source": None, "last_updated": None}


def state(
    *,
    services: list[dict[str, Any]] | None = None,
    agents: list[dict[str, Any]] | None = None,
    blockers: list[dict[str, Any]] | None = None,
    waves: list[dict[str, Any]] | None = None,
    modules: list[dict[str, Any]] | None = None,
    finance: dict[str, Any] | None = None,
    cache: dict[str, Any] | None = None,
    habits: list[Habit] | None = None,
    changes: list[dict[str, Any]] | None = None,
    now: datetime = NOW,
    local_hour: int | None = None,
) -> State:
    return State(
        now=now,
        sections={
            "health": {"overall": "unknown", "services": services or []},
            "instances": {"instances": agents or [], "blockers": blockers or []},
            "waves": {"waves": waves or [], "projects": []},
            "business": {"modules": modules or []},
            "financial": finance or {},
        },
        cache=cache or {},
        habits=habits or [],
        local_hour=now.hour if local_hour is None else local_hour,
        local_date=now.date().isoformat(),
        recent_health_changes=changes or [],
    )
