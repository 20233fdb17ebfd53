"""The seed's section shapes, made from ours: what `/api/dashboard/*` and its stream answer.

The original dashboard's clients (its Next.js frontend, its API tests, people's scripts) read these
shapes (see docs/api.md, "The seed's contract"): `business` is an object keyed by module, `waves` a
list with `completion`, `health.services` an object keyed by service name, `instances.projects` the
tracker's map of projects. Every key the seed had is here with the seed's type; our richer data
rides along as extra keys where it does not clash, and lives whole on our own endpoints
(`/api/projects`, `/api/services`, `/api/metrics`) and on our own stream (`/api/stream`).

One rule differs on purpose: a figure we have no input for is `null`, never an invented 0.
Business metrics without a value are left out of `metrics` (which stays `{key: number}`).
"""

from __future__ import annotations

import math
from typing import Any

from jarvis.core.sections import Section

Data = dict[str, Any]


def js_round(value: float) -> int:
    """`Math.round`: halves go up (Python's `round` goes to even)."""
    return math.floor(value + 0.5)


def _projects(waves: Data) -> list[Data]:
    return [*waves.get("waves", []), *waves.get("projects", [])]


def overall_completion_percent(waves: Data) -> int:
    """The seed's figure: the mean of every project's completion percent, rounded (0 without projects)."""
    projects = _projects(waves)
    if not projects:
        return 0
    return js_round(sum(p.get("completion_percent") or 0 for p in projects) / len(projects))


def tracker_project(project: Data) -> Data:
    """A project as the tracker file spells it (the seed passed the file's own entries through)."""
    return {
        "name": project.get("name"),
        "status": project.get("status"),
        "completion_percent": project.get("completion_percent"),
        "estimated_hours": project.get("estimated_hours"),
        "actual_hours": project.get("actual_hours"),
        "remaining_hours": project.get("remaining_hours"),
        "assigned_to": ",".join(project.get("assigned_to") or []),
        "tasks": [
            {key: task.get(key) for key in ("id", "name", "status", "estimated_hours", "actual_hours")}
            for task in project.get("tasks") or []
        ],
    }


def instances(data: Data, waves: Data) -> Data:
    """`{instances, metrics, blockers, projects, updated}` (+ ours: `source_errors`, `timestamp`).

    `instances` stays our list of instances, each with its `id` (the seed's frontend spreads each
    entry over its key, so the id shown is the entry's own); `metrics.overall_completion_percent`
    is the seed's integer next to our `overall_completion`."""
    seen = [i["last_seen"] for i in data.get("instances", []) if i.get("last_seen")]
    return {
        **data,
        "metrics": {**data.get("metrics", {}), "overall_completion_percent": overall_completion_percent(waves)},
        "blockers": [{**b, "opened": b.get("opened_at")} for b in data.get("blockers", [])],
        "projects": {p["id"]: tracker_project(p) for p in _projects(waves)},
        "updated": max(seen) if seen else data.get("timestamp"),
    }


def wave(project: Data) -> Data:
    return {
        **project,
        "completion": project.get("completion_percent") or 0,
        "tasks_completed": project.get("tasks_done") or 0,
        "tasks_total": project.get("tasks_total") or 0,
    }


def waves(data: Data) -> list[Data]:
    """A list of the waves (projects whose id starts with `wave-`), each with `completion` (percent)."""
    return [wave(p) for p in data.get("waves", [])]


def business(data: Data) -> Data:
    """`{music: {name, priority, status, health, uptime, metrics: {key: number}}, marketing: …}`."""
    out: Data = {}
    for module in data.get("modules", []):
        values = {key: m.get("value") for key, m in (module.get("metrics") or {}).items()}
        out[module["id"]] = {
            **{key: value for key, value in module.items() if key not in ("id", "metrics")},
            "metrics": {key: value for key, value in values.items() if value is not None},
        }
    return out


def health(data: Data) -> Data:
    """`{overall, services: {name: {status, error, …}}, timestamp}`."""
    services = {s["name"]: {k: v for k, v in s.items() if k != "name"} for s in data.get("services", [])}
    return {**data, "services": services}


def financial(data: Data) -> Data:
    """Already the seed's flat keys (`mrr, arr, customers, revenue_today, …`); `null` without inputs."""
    return data


def section(name: Section, parts: dict[Section, Data]) -> Any:
    """The seed's shape of one section, from our sections (`instances` also reads `waves`)."""
    if name == "instances":
        return instances(parts["instances"], parts["waves"])
    if name == "waves":
        return waves(parts["waves"])
    if name == "business":
        return business(parts["business"])
    if name == "health":
        return health(parts["health"])
    return financial(parts["financial"])


# The sections each seed section is made from.
INPUTS: dict[Section, tuple[Section, ...]] = {
    "instances": ("instances", "waves"),
    "waves": ("waves",),
    "business": ("business",),
    "health": ("health",),
    "financial": ("financial",),
}
