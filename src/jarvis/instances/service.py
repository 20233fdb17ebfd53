"""Agent instances: the merge of tracker file, heartbeats and Claude Code sessions.

Writes are small keyword-only functions over a session; reads merge the database rows
with the tracker's in-memory data. `stale` is never stored: it is computed at read time
from `last_seen` and `clock.now()`, so the snapshot publisher's tick surfaces it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.instances import claude
from jarvis.instances.models import Instance, InstanceEvent
from jarvis.instances.schemas import EventIn, HeartbeatIn
from jarvis.projects import service as projects
from jarvis.tracker.service import TrackerState, tracker_of

FIELDS = ("name", "role", "current_task", "current_tool", "last_prompt", "branch", "repo", "cwd", "host")
LIVE = {"active", "working", "waiting", "blocked"}
TERMINAL = {"done", "ended"}


def _tracker_instances(state: TrackerState) -> dict[str, dict[str, Any]]:
    fallback = state.data.updated or state.loaded_at
    result: dict[str, dict[str, Any]] = {}
    for instance_id, raw in state.data.instances.items():
        result[instance_id] = {
            "id": instance_id,
            "name": raw["name"] or instance_id,
            "source": "tracker",
            "role": raw["role"],
            "status": raw["status"],
            "current_task": raw["current_task"],
            "current_tool": None,
            "last_prompt": None,
            "branch": raw["branch"],
            "repo": raw["repo"],
            "cwd": raw["cwd"],
            "host": raw["host"],
            "session_id": None,
            "last_commit": raw["last_commit"],
            "last_seen": max((t for t in (raw["last_seen"], state.data.updated) if t), default=fallback),
        }
    return result


def _overlay(base: dict[str, Any] | None, row: Instance) -> dict[str, Any]:
    merged: dict[str, Any] = (
        dict(base) if base else {"id": row.id, "source": row.source, "session_id": None, "last_commit": None}
    )
    for name in FIELDS:
        value = getattr(row, name)
        if value is not None or base is None:
            merged[name] = value
    merged["name"] = merged.get("name") or row.id
    if row.source != "tracker" or base is None:  # a row made by an event alone reports no status
        merged["status"] = row.status
        merged["source"] = row.source
    merged["session_id"] = row.session_id or merged.get("session_id")
    merged["last_commit"] = row.last_commit or merged.get("last_commit")
    previous: datetime | None = merged.get("last_seen")
    merged["last_seen"] = row.last_seen if previous is None else max(previous, row.last_seen)
    return merged


def displayed_status(status: str, last_seen: datetime | None, stale_after_s: float) -> str:
    if status in TERMINAL:
        return status
    if last_seen is None or clock.now() - last_seen > timedelta(seconds=stale_after_s):
        return "stale"
    return status


def _public(ctx: AppContext, merged: dict[str, Any], open_blockers: int) -> dict[str, Any]:
    stale_after = ctx.settings.monitoring.instance_stale_after_s
    return {
        "id": merged["id"],
        "name": merged.get("name"),
        "source": merged["source"],
        "role": merged.get("role"),
        "status": displayed_status(merged["status"], merged.get("last_seen"), stale_after),
        "current_task": merged.get("current_task"),
        "current_tool": merged.get("current_tool"),
        "last_prompt": merged.get("last_prompt"),
        "branch": merged.get("branch"),
        "repo": merged.get("repo"),
        "cwd": merged.get("cwd"),
        "host": merged.get("host"),
        "session_id": merged.get("session_id"),
        "last_commit": merged.get("last_commit"),
        "last_seen": clock.iso(merged.get("last_seen")),
        "open_blockers": open_blockers,
    }


def _blocker_counts(blockers: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for blocker in blockers:
        if blocker["instance"]:
            counts[blocker["instance"]] = counts.get(blocker["instance"], 0) + 1
    return counts


async def list_instances(
    ctx: AppContext, *, session: AsyncSession, blockers: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Every instance, merged across sources, sorted by id (stable bytes for the stream)."""
    merged = _tracker_instances(tracker_of(ctx))
    for row in await session.scalars(select(Instance)):
        merged[row.id] = _overlay(merged.get(row.id), row)
    if blockers is None:
        blockers = await projects.list_blockers(ctx, session=session)
    counts = _blocker_counts(blockers)
    return [_public(ctx, merged[key], counts.get(key, 0)) for key in sorted(merged)]


async def get_instance(ctx: AppContext, *, session: AsyncSession, instance_id: str) -> dict[str, Any] | None:
    base = _tracker_instances(tracker_of(ctx)).get(instance_id)
    row = await session.get(Instance, instance_id)
    if row is None and base is None:
        return None
    merged = _overlay(base, row) if row is not None else base
    assert merged is not None
    blockers = await projects.list_blockers(ctx, session=session, instance=instance_id)
    return _public(ctx, merged, len(blockers))


def known_in_tracker(ctx: AppContext, instance_id: str) -> bool:
    return instance_id in tracker_of(ctx).data.instances


async def timeline(*, session: AsyncSession, instance_id: str, limit: int) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(InstanceEvent)
        .where(InstanceEvent.instance_id == instance_id)
        .order_by(InstanceEvent.id.desc())
        .limit(limit)
    )
    return [present_event(row) for row in rows]


def present_event(row: InstanceEvent, *, with_data: bool = True) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": row.id,
        "instance_id": row.instance_id,
        "kind": row.kind,
        "message": row.message,
        "at": clock.iso(row.at),
    }
    if with_data:
        event["data"] = row.data
    return event


async def instance_detail(ctx: AppContext, *, session: AsyncSession, instance_id: str, limit: int) -> dict[str, Any]:
    """Detail for `/instances/{id}`: the instance, its timeline (newest first), its tasks and blockers."""
    instance = await get_instance(ctx, session=session, instance_id=instance_id)
    tasks = [
        {**task, "project_id": project["id"], "project_name": project["name"]}
        for project in await projects.list_projects(ctx, session=session)
        for task in project["tasks"]
        if instance_id in task["assigned_to"]
    ]
    return {
        "instance": instance,
        "timeline": await timeline(session=session, instance_id=instance_id, limit=limit),
        "tasks": tasks,
        "blockers": await projects.list_blockers(ctx, session=session, instance=instance_id),
    }


# --- writes ----------------------------------------------------------------------------------


def _new_row(instance_id: str, source: str, status: str) -> Instance:
    now = clock.now()
    return Instance(id=instance_id, source=source, status=status, last_seen=now, created_at=now)


async def add_event(
    *,
    session: AsyncSession,
    instance_id: str,
    kind: str,
    message: str | None,
    data: dict[str, Any] | None,
    retention: int,
) -> InstanceEvent:
    """Append to the timeline and drop what is past the per-instance retention cap."""
    event = InstanceEvent(instance_id=instance_id, kind=kind, message=message, data=data, at=clock.now())
    session.add(event)
    await session.flush()
    cutoff = await session.scalar(
        select(InstanceEvent.id)
        .where(InstanceEvent.instance_id == instance_id)
        .order_by(InstanceEvent.id.desc())
        .offset(retention)
        .limit(1)
    )
    if cutoff is not None:
        await session.execute(
            delete(InstanceEvent).where(InstanceEvent.instance_id == instance_id, InstanceEvent.id <= cutoff)
        )
    return event


async def record_heartbeat(
    *, session: AsyncSession, instance_id: str, body: HeartbeatIn, retention: int
) -> tuple[Instance, list[InstanceEvent]]:
    """Upsert the instance; status changes and new commits go to the timeline."""
    row = await session.get(Instance, instance_id)
    previous_status = None if row is None or row.source == "tracker" else row.status
    if row is None:
        row = _new_row(instance_id, "heartbeat", body.status)
        session.add(row)
    elif row.source == "tracker":
        row.source = "heartbeat"
    previous_commit = (row.last_commit or {}).get("hash")
    row.status = body.status
    row.last_seen = clock.now()
    for name in ("name", "role", "current_task", "branch", "repo", "host", "cwd"):
        value = getattr(body, name)
        if value is not None:
            setattr(row, name, value)
    events: list[InstanceEvent] = []
    if previous_status != body.status:
        message = f"Status {previous_status} → {body.status}" if previous_status else f"Status {body.status}"
        events.append(
            await add_event(
                session=session,
                instance_id=instance_id,
                kind="status",
                message=message,
                data={"status": body.status},
                retention=retention,
            )
        )
    if body.last_commit is not None:
        commit = body.last_commit.public()
        row.last_commit = commit
        if commit["hash"] != previous_commit:
            events.append(
                await add_event(
                    session=session,
                    instance_id=instance_id,
                    kind="commit",
                    message=commit["message"],
                    data=commit,
                    retention=retention,
                )
            )
    return row, events


async def record_event(
    *, session: AsyncSession, instance_id: str, body: EventIn, retention: int
) -> tuple[Instance, InstanceEvent]:
    """An event for a known instance; it counts as a sign of life."""
    row = await session.get(Instance, instance_id)
    if row is None:  # a tracker instance gets a row that reports no status of its own
        row = _new_row(instance_id, "tracker", "active")
        session.add(row)
    row.last_seen = clock.now()
    data = dict(body.data or {})
    if body.commit is not None:
        commit = body.commit.public()
        row.last_commit = commit
        data["commit"] = commit
    event = await add_event(
        session=session,
        instance_id=instance_id,
        kind=body.kind,
        message=body.message or (body.commit.message if body.commit else None),
        data=data or None,
        retention=retention,
    )
    return row, event


async def record_hook(
    *, session: AsyncSession, payload: dict[str, Any], host: str, retention: int
) -> tuple[Instance, InstanceEvent]:
    """Apply one Claude Code hook event to its session's instance."""
    session_id = str(payload["session_id"])
    instance_id = claude.instance_id(host, session_id)
    row = await session.get(Instance, instance_id)
    if row is None:
        row = _new_row(instance_id, "claude-code", "idle")
        row.session_id = session_id[:200]
        row.host = host[:255]
        session.add(row)
    change = claude.interpret(payload, row.status)
    if change.status is not None:
        row.status = change.status
    if change.tool is not None:
        row.current_tool = change.tool
    elif change.clear_tool:
        row.current_tool = None
    if change.prompt is not None:
        row.last_prompt = change.prompt
    cwd = claude.text(payload, "cwd", 1000)
    if cwd:
        row.cwd = cwd
        row.name = claude.session_name(payload)
    branch = claude.text(payload, "branch", 255) or claude.text(payload, "git_branch", 255)
    if branch:
        row.branch = branch
    row.name = row.name or claude.session_name(payload)
    row.last_seen = clock.now()
    event = await add_event(
        session=session,
        instance_id=instance_id,
        kind=change.kind,
        message=change.message,
        data=claude.trim(payload),
        retention=retention,
    )
    return row, event


# --- the dashboard -------------------------------------------------------------------------


async def dashboard_section(ctx: AppContext) -> dict[str, Any]:
    """The `instances` section: merged instances, derived metrics, open blockers, source errors."""
    async with ctx.db.sessions() as session:
        figures = await projects.fleet_figures(ctx, session=session)
        instances = await list_instances(ctx, session=session, blockers=figures["blockers"])
    metrics = dict(figures["metrics"])
    metrics["active_instances"] = sum(1 for instance in instances if instance["status"] in LIVE)
    metrics["total_instances"] = len(instances)
    error = tracker_of(ctx).error
    return {
        "instances": instances,
        "metrics": metrics,
        "blockers": [
            {
                key: blocker[key]
                for key in ("id", "instance", "project", "description", "severity", "opened_at", "age_hours")
            }
            for blocker in figures["blockers"]
        ],
        "source_errors": [error] if error else [],
        "timestamp": clock.iso(clock.now()),
    }
