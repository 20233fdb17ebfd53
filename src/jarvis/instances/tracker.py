"""The original system's `instance-tracker.json`: parsed leniently, re-read when it changes.

The file is written by other tools, sometimes mid-write when we read it. A file that does
not parse keeps the last good data and records one error (shown as `source_errors`); a
field of the wrong type is skipped with a warning, never fatal. Numbers may be strings and
timestamps come in several formats (`clock.parse_timestamp`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from jarvis.core import clock

log = structlog.get_logger("jarvis.instances.tracker")

MAX_FILE_BYTES = 10 * 1024 * 1024
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
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip().rstrip("%"))
            except ValueError:
                pass
        self.warn(f"{where}.{key}", f"expected a number, got {value!r:.40}")
        return None

    def timestamp(self, obj: dict[str, Any], key: str, where: str) -> datetime | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        parsed = clock.parse_timestamp(value)
        if parsed is None:
            self.warn(f"{where}.{key}", f"not a timestamp: {value!r:.40}")
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


def parse_tracker(data: Any) -> tuple[TrackerData, list[str]]:
    """Normalise a decoded tracker document; raises ValueError if it is not an object."""
    if not isinstance(data, dict):
        raise ValueError(f"the top level must be a JSON object, got {type(data).__name__}")
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
        result.instances[instance_id] = {
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

    for name, raw in reader.entries(data, "projects"):
        project_id = (name or reader.text(raw, "id", "projects") or "")[:100]
        if not project_id:
            reader.warn("projects", "an entry without an id was skipped")
            continue
        result.projects.append(_project(reader, project_id, raw))

    for index, (name, raw) in enumerate(reader.entries(data, "blockers")):
        where = f"blockers[{index}]"
        description = reader.text(raw, "description", where, 2000) or reader.text(raw, "title", where, 2000)
        resolved = raw.get("resolved") is True or str(raw.get("status", "")).lower() in ("resolved", "closed")
        if resolved:
            continue
        instance = reader.text(raw, "instance", where, 160)
        given = name or reader.text(raw, "id", where, 90)
        digest = hashlib.sha1(f"{instance}|{description}".encode()).hexdigest()[:10]
        result.blockers.append(
            {
                "id": f"tracker-{given or digest}",
                "instance": instance,
                "project": reader.text(raw, "project", where, 100),
                "description": description or "(no description)",
                "severity": (reader.text(raw, "severity", where, 20) or "medium").lower(),
                "opened_at": reader.timestamp(raw, "opened", where) or reader.timestamp(raw, "opened_at", where),
            }
        )

    metrics = data.get("metrics")
    if isinstance(metrics, dict):
        for key in METRIC_KEYS:
            value = reader.number(metrics, key, "metrics")
            if value is not None:
                result.metrics[key] = value
    elif metrics is not None:
        reader.warn("metrics", "expected an object")
    return result, reader.warnings


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


class TrackerState:
    """The last good read of the file, its error if the latest read failed, and change detection."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data = TrackerData()
        self.error: dict[str, Any] | None = None
        self.loaded_at: datetime | None = None
        self._signature: tuple[int, int] | None = None

    def _stat(self) -> tuple[int, int] | None:
        assert self.path is not None
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    async def poll(self) -> tuple[TrackerData, TrackerData] | None:
        """Re-read if the file's mtime or size changed; returns (before, after) when the data changed."""
        if self.path is None:
            return None
        signature = await asyncio.to_thread(self._stat)
        if signature == self._signature and self.loaded_at is not None:
            return None
        return await self.reload()

    async def reload(self) -> tuple[TrackerData, TrackerData] | None:
        """Read the file now; returns (before, after) when the good data changed."""
        if self.path is None:
            return None
        path = self.path
        self._signature = await asyncio.to_thread(self._stat)
        before = self.data
        try:
            raw = await asyncio.to_thread(_read, path)
        except FileNotFoundError:
            self.error = None
            self.data = TrackerData()
            self.loaded_at = clock.now()
            return (before, self.data) if before != self.data else None
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            self._fail(str(exc))
            return None
        try:
            data, warnings = parse_tracker(raw)
        except ValueError as exc:
            self._fail(str(exc))
            return None
        for warning in warnings[:20]:
            log.warning("tracker_field_skipped", file=str(path), problem=warning)
        if self.error is not None:
            log.info("tracker_recovered", file=str(path))
        self.error = None
        self.loaded_at = clock.now()
        self.data = data
        return (before, data) if before != data else None

    def _fail(self, message: str) -> None:
        message = message[:500]
        if self.error is not None and self.error["error"] == message:
            return  # the same failure again: one warning is enough
        log.warning("tracker_unreadable", file=str(self.path), error=message)
        self.error = {"source": "tracker", "file": str(self.path), "error": message, "at": clock.iso(clock.now())}


def _read(path: Path) -> Any:
    with path.open("rb") as handle:
        content = handle.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ValueError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if not content.strip():
        raise ValueError("the file is empty (being written?)")
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None


def tracker_of(ctx: Any) -> TrackerState:
    """The app's tracker state (an empty one if the instances domain is not installed)."""
    state = ctx.extras.get("tracker")
    if isinstance(state, TrackerState):
        return state
    return TrackerState(None)
