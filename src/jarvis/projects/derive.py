"""Pure derivations: a project's status, completion and hours from its tasks; fleet totals.

No figure is invented: a value with no input is `None` (JSON `null`); a count of nothing is 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from jarvis.core import clock


def _sum(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(sum(present), 2) if present else None


def present_project(raw: dict[str, Any], *, source: str) -> dict[str, Any]:
    """The dashboard's P shape. With tasks, status and completion come from the task states."""
    tasks = [
        {
            "id": task["id"],
            "name": task.get("name"),
            "status": task.get("status") or "pending",
            "estimated_hours": task.get("estimated_hours"),
            "actual_hours": task.get("actual_hours"),
            "assigned_to": list(task.get("assigned_to") or []),
        }
        for task in raw.get("tasks", [])
    ]
    done = sum(1 for task in tasks if task["status"] == "completed")
    started = sum(1 for task in tasks if task["status"] == "in_progress")
    if tasks:
        completion: float | None = round(100 * done / len(tasks), 1)
        if done == len(tasks):
            status = "completed"
        elif done or started:
            status = "in_progress"
        else:
            status = "pending"
    else:
        status = raw.get("status") or "pending"
        completion = raw.get("completion_percent")
        if completion is None and status == "completed":
            completion = 100.0
    estimated = raw.get("estimated_hours")
    if estimated is None:
        estimated = _sum(task["estimated_hours"] for task in tasks)
    actual = raw.get("actual_hours")
    if actual is None:
        actual = _sum(task["actual_hours"] for task in tasks)
    remaining = raw.get("remaining_hours")
    if remaining is None and tasks:
        remaining = _sum(task["estimated_hours"] for task in tasks if task["status"] != "completed")
        if remaining is None and estimated is not None and done == len(tasks):
            remaining = 0.0
    return {
        "id": raw["id"],
        "name": raw.get("name") or raw["id"],
        "status": status,
        "completion_percent": completion,
        "tasks_done": done,
        "tasks_total": len(tasks),
        "estimated_hours": estimated,
        "actual_hours": actual,
        "remaining_hours": remaining,
        "assigned_to": list(raw.get("assigned_to") or []),
        "tasks": tasks,
        "source": source,
        "wave": raw["id"].startswith("wave-"),
    }


def present_blocker(raw: dict[str, Any], *, source: str) -> dict[str, Any]:
    opened: datetime | None = raw.get("opened_at")
    age = None if opened is None else round(max(0.0, (clock.now() - opened).total_seconds()) / 3600, 1)
    return {
        "id": raw["id"],
        "instance": raw.get("instance"),
        "project": raw.get("project"),
        "description": raw.get("description"),
        "severity": raw.get("severity") or "medium",
        "opened_at": clock.iso(opened),
        "age_hours": age,
        "resolved_at": clock.iso(raw.get("resolved_at")),
        "resolution": raw.get("resolution"),
        "source": source,
    }


def fleet_metrics(projects: list[dict[str, Any]], open_blockers: int, file_metrics: dict[str, float]) -> dict[str, Any]:
    """Totals over every project; the tracker file's own figures fill in only where we have no tasks."""
    tasks = [task for project in projects for task in project["tasks"]]
    if tasks:
        completed = sum(1 for task in tasks if task["status"] == "completed")
        in_progress = sum(1 for task in tasks if task["status"] == "in_progress")
        pending = len(tasks) - completed - in_progress
        overall: float | None = round(100 * completed / len(tasks), 1)
    else:
        completed = int(file_metrics.get("tasks_completed", 0))
        in_progress = int(file_metrics.get("tasks_in_progress", 0))
        pending = int(file_metrics.get("tasks_pending", 0))
        percents = [p["completion_percent"] for p in projects if p["completion_percent"] is not None]
        overall = round(sum(percents) / len(percents), 1) if percents else file_metrics.get("overall_completion")
    estimated = _sum(p["estimated_hours"] for p in projects)
    actual = _sum(p["actual_hours"] for p in projects)
    if estimated is None:
        estimated = file_metrics.get("total_estimated_hours")
    if actual is None:
        actual = file_metrics.get("total_actual_hours")
    if estimated and actual is not None:
        ratio: float | None = round(actual / estimated, 2)
    else:
        ratio = file_metrics.get("efficiency_ratio")
    return {
        "tasks_completed": completed,
        "tasks_in_progress": in_progress,
        "tasks_pending": pending,
        "blockers_count": open_blockers,
        "total_estimated_hours": estimated,
        "total_actual_hours": actual,
        "efficiency_ratio": ratio,
        "overall_completion": overall,
    }
