"""Parsing `instance-tracker.json` leniently: a field of the wrong type is skipped with a warning,
never fatal. Numbers may be strings and timestamps come in several formats (`clock.parse_timestamp`).

An entry (instance, project, blocker) that fails in a way no field check foresaw is skipped alone, with a
warning naming it: one bad value must not cost the rest of the file. Reading the file safely is `read.py`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import structlog

from jarvis.core import clock

log = structlog.get_logger("jarvis.tracker")

TEXT_CAP = 1000
INSTANCE_STATUSES = {
    "active": "active",
    "working": "working",
    "in_progress": "active",
    "in-progress": "active",
    "running": "active",
    "busy": "active",
    "waiting": "waiting",
    "idle": "idle",
    "blocked": "blocked",
    "done": "done",
    "completed": "done",
    "complete": "done",
    "finished": "done",
    "ended": "ended",
    "offline": "ended",
    "stale": "stale",
}
WORK_STATUSES = {
    "completed": "completed",
    "complete": "completed",
    "done": "completed",
    "in_progress": "in_progress",
    "in-progress": "in_progress",
    "active": "in_progress",
    "working": "in_progress",
    "started": "in_progress",
    "pending": "pending",
    "todo": "pending",
    "planned": "pending",
    "not_started": "pending",
}
METRIC_KEYS = (
    "tasks_completed",
    "tasks_in_progress",
    "tasks_pending",
    "blockers_count",
    "total_estimated_hours",
    "total_actual_hours",
    "efficiency_ratio",
    "overall_completion",
)


@dataclass
class TrackerData:
    """What one good read of the file said (already normalised)."""

    instances: dict[str, dict[str, Any]] = field(default_factory=dict)
    projects: list[dict[str, Any]] = field(default_factory=list)
    blockers: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    updated: datetime | None = None


class _Reader:
    """Typed accessors that skip (and note) a field of the wrong type."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warn(self, where: str, problem: str) -> None:
        self.warnings.append(f"{where}: {problem}")

    def text(self, obj: dict[str, Any], key: str, where: str, cap: int = TEXT_CAP) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.warn(f"{where}.{key}", f"expected text, got {type(value).__name__}")
            return None
        text = str(value).strip()
        return text[:cap] or None

    def number(self, obj: dict[str, Any], key: str, where: str) -> float | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value) if abs(value) < 1e300 else math.inf  # an int of 400 digits overflows float()
        elif isinstance(value, str):
            try:
                number = float(value.strip().rstrip("%"))
            except ValueError:
                pass
        if number is not None and math.isfinite(number):
            return number
        self.warn(f"{where}.{key}", f"expected a number, got {_preview(value)} (ignored; write a plain number)")
        return None

    def timestamp(self, obj: dict[str, Any], key: str, where: str) -> datetime | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        parsed = clock.parse_timestamp(value)
        if parsed is None:
            self.warn(
                f"{where}.{key}",
                f"not a timestamp: {_preview(value)} (treated as unknown; write ISO 8601 or epoch seconds)",
            )
        return parsed

    def names(self, obj: dict[str, Any], key: str, where: str) -> list[str]:
        value = obj.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip()[:160] for part in value.split(",") if part.strip()]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return [item.strip()[:160] for item in value if item.strip()]
        self.warn(f"{where}.{key}", "expected a comma-separated string or a list of strings")
        return []

    def status(self, obj: dict[str, Any], key: str, where: str, table: dict[str, str]) -> str | None:
        raw = self.text(obj, key, where)
        if raw is None:
            return None
        normal = table.get(raw.lower().replace(" ", "_"))
        if normal is None:
            self.warn(f"{where}.{key}", f"unknown status {raw!r:.40}")
        return normal

    def entries(self, data: dict[str, Any], key: str) -> list[tuple[str | None, dict[str, Any]]]:
        """A mapping keyed by id (the original format) or a list of objects carrying `id`."""
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, dict):
            items: list[tuple[str | None, Any]] = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(None, v) for v in value]
        else:
            self.warn(key, f"expected an object or a list, got {type(value).__name__}")
            return []
        result: list[tuple[str | None, dict[str, Any]]] = []
        for index, (name, item) in enumerate(items):
            if not isinstance(item, dict):
                self.warn(f"{key}[{name or index}]", "expected an object")
                continue
            result.append((name, item))
        return result


T = TypeVar("T")

# What a bug of ours or an unforeseen value can raise while one entry is normalised.
_ENTRY_ERRORS = (ValueError, TypeError, ArithmeticError, RecursionError)


def _isolated(reader: _Reader, where: str, build: Callable[..., T], *args: Any) -> T | None:
    """`build(*args)`, or None with a warning naming the entry: the entry is skipped, the file is still used."""
    try:
        return build(*args)
    except _ENTRY_ERRORS as exc:
        reader.warn(where, f"entry skipped ({type(exc).__name__}: {str(exc)[:120]}); fix this entry in the file")
        return None


def parse_tracker(data: Any) -> tuple[TrackerData, list[str]]:
    """Normalise a decoded tracker document; raises ValueError if it is not an object."""
    if not isinstance(data, dict):
        raise ValueError(
            f"the top level must be a JSON object, got {type(data).__name__}; write an object "
            "with metadata, instances, projects, metrics and blockers"
        )
    reader = _Reader()
    result = TrackerData()
    metadata = data.get("metadata")
    if isinstance(metadata, dict):
        result.updated = reader.timestamp(metadata, "updated", "metadata")
    elif metadata is not None:
        reader.warn("metadata", "expected an object")

    for name, raw in reader.entries(data, "instances"):
        instance_id = (name or reader.text(raw, "id", "instances") or "")[:160]
        if not instance_id:
            reader.warn("instances", "an entry without an id was skipped")
            continue
        where = f"instances.{instance_id}"
        instance = _isolated(reader, where, _instance, reader, where, raw)
        if instance is not None:
            result.instances[instance_id] = instance

    for name, raw in reader.entries(data, "projects"):
        project_id = (name or reader.text(raw, "id", "projects") or "")[:100]
        if not project_id:
            reader.warn("projects", "an entry without an id was skipped")
            continue
        project = _isolated(reader, f"projects.{project_id}", _project, reader, project_id, raw)
        if project is not None:
            result.projects.append(project)

    for index, (name, raw) in enumerate(reader.entries(data, "blockers")):
        where = f"blockers[{index}]"
        blocker = _isolated(reader, where, _blocker, reader, where, name, raw)
        if blocker:
            result.blockers.append(blocker)

    metrics = data.get("metrics")
    if isinstance(metrics, dict):
        for key in METRIC_KEYS:
            value = reader.number(metrics, key, "metrics")
            if value is not None:
                result.metrics[key] = value
    elif metrics is not None:
        reader.warn("metrics", "expected an object")
    return result, reader.warnings


def _instance(reader: _Reader, where: str, raw: dict[str, Any]) -> dict[str, Any]:
    commit = raw.get("last_commit")
    last_commit: dict[str, Any] | None = None
    if isinstance(commit, dict):
        stamp = reader.timestamp(commit, "timestamp", f"{where}.last_commit")
        last_commit = {
            "hash": reader.text(commit, "hash", f"{where}.last_commit", 64),
            "message": reader.text(commit, "message", f"{where}.last_commit", 500),
            "timestamp": clock.iso(stamp),
        }
    elif commit is not None:
        reader.warn(f"{where}.last_commit", "expected an object")
    seen = [reader.timestamp(raw, key, where) for key in ("last_seen", "last_activity", "last_update", "updated")]
    return {
        "name": reader.text(raw, "name", where, 200),
        "role": reader.text(raw, "role", where, 200),
        "status": reader.status(raw, "status", where, INSTANCE_STATUSES) or "active",
        "current_task": reader.text(raw, "current_task", where, 500),
        "branch": reader.text(raw, "branch", where, 255),
        "repo": reader.text(raw, "repo", where, 500),
        "cwd": reader.text(raw, "cwd", where),
        "host": reader.text(raw, "host", where, 255),
        "last_commit": last_commit,
        "last_seen": max((moment for moment in seen if moment), default=None),
    }


def _blocker(reader: _Reader, where: str, name: str | None, raw: dict[str, Any]) -> dict[str, Any] | None:
    """An open blocker, or None for a resolved one."""
    description = reader.text(raw, "description", where, 2000) or reader.text(raw, "title", where, 2000)
    resolved = raw.get("resolved") is True or str(raw.get("status", "")).lower() in ("resolved", "closed")
    if resolved:
        return None
    instance = reader.text(raw, "instance", where, 160)
    given = name or reader.text(raw, "id", where, 90)
    digest = hashlib.sha1(f"{instance}|{description}".encode()).hexdigest()[:10]
    return {
        "id": f"tracker-{given or digest}",
        "instance": instance,
        "project": reader.text(raw, "project", where, 100),
        "description": description or "(no description)",
        "severity": (reader.text(raw, "severity", where, 20) or "medium").lower(),
        "opened_at": reader.timestamp(raw, "opened", where) or reader.timestamp(raw, "opened_at", where),
    }


def _project(reader: _Reader, project_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    where = f"projects.{project_id}"
    tasks: list[dict[str, Any]] = []
    raw_tasks = raw.get("tasks")
    if isinstance(raw_tasks, list):
        for index, task in enumerate(raw_tasks):
            task_where = f"{where}.tasks[{index}]"
            if not isinstance(task, dict):
                reader.warn(task_where, "expected an object")
                continue
            tasks.append(
                {
                    "id": reader.text(task, "id", task_where, 100) or f"task-{index + 1}",
                    "name": reader.text(task, "name", task_where, 200) or reader.text(task, "title", task_where, 200),
                    "status": reader.status(task, "status", task_where, WORK_STATUSES) or "pending",
                    "estimated_hours": reader.number(task, "estimated_hours", task_where),
                    "actual_hours": reader.number(task, "actual_hours", task_where),
                    "assigned_to": reader.names(task, "assigned_to", task_where),
                }
            )
    elif raw_tasks is not None:
        reader.warn(f"{where}.tasks", "expected a list")
    return {
        "id": project_id,
        "name": reader.text(raw, "name", where, 200) or project_id,
        "status": reader.status(raw, "status", where, WORK_STATUSES),
        "completion_percent": reader.number(raw, "completion_percent", where),
        "estimated_hours": reader.number(raw, "estimated_hours", where),
        "actual_hours": reader.number(raw, "actual_hours", where),
        "remaining_hours": reader.number(raw, "remaining_hours", where),
        "assigned_to": reader.names(raw, "assigned_to", where),
        "tasks": tasks,
    }


def _preview(value: Any) -> str:
    """A short picture of a value for a warning; never the repr of a whole list or object (that can be huge).
    Integers arrive with at most 100 digits (`read._int`), so their repr is cheap."""
    if isinstance(value, str | int | float | bool):
        return f"{value!r:.40}"
    return f"a {type(value).__name__}"
