"""Agent instances: the merge of tracker file, heartbeats and Claude Code sessions.

Writes are small keyword-only functions over a session, applied by the group-commit writer
(`ingest.py`); reads merge the database rows with the tracker's in-memory data. What depends on
time (`stale`, `silent`, attention and how long it has waited) is never stored: `attention.py`
computes it at read time from `last_seen`, `status_since` and `clock.now()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.costs import service as costs
from jarvis.instances import attention, claude
from jarvis.instances.models import Instance, InstanceEvent
from jarvis.projects import service as projects
from jarvis.tracker.service import TrackerState, tracker_of

FIELDS = ("name", "role", "current_task", "current_tool", "last_prompt", "branch", "repo", "cwd", "host")
STATE_FIELDS = ("status_since", "status_detail", "model", "start_source", "last_event", "subagents")
LIVE = {"active", "working", "waiting", "blocked", "background"}


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
    for name in STATE_FIELDS:
        merged[name] = getattr(row, name)
    merged["name"] = merged.get("name") or row.id
    if row.source != "tracker" or base is None:  # a row made by an event alone reports no status
        merged["status"] = row.status
        merged["source"] = row.source
    merged["session_id"] = row.session_id or merged.get("session_id")
    merged["last_commit"] = row.last_commit or merged.get("last_commit")
    previous: datetime | None = merged.get("last_seen")
    merged["last_seen"] = row.last_seen if previous is None else max(previous, row.last_seen)
    return merged


def _subagents(raw: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [{"id": key, **value} for key, value in (raw or {}).items()]


async def _usage(session: AsyncSession, merged: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every listed session's cost and tokens (Claude Code telemetry, `costs`), in one query."""
    return await costs.session_usage(
        session=session, session_ids=[m["session_id"] for m in merged if m.get("session_id")]
    )


def _public(
    ctx: AppContext, merged: dict[str, Any], open_blockers: int, usage: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    last_seen: datetime | None = merged.get("last_seen")
    status = attention.displayed_status(
        merged["source"],
        merged["status"],
        last_seen,
        stale_after_s=ctx.settings.monitoring.instance_stale_after_s,
        silent_after_s=ctx.settings.attention.silent_after_s,
    )
    session_id = merged.get("session_id")
    public = {
        "id": merged["id"],
        "name": merged.get("name"),
        "source": merged["source"],
        "role": merged.get("role"),
        "status": status,
        "status_since": clock.iso(merged.get("status_since")),
        "status_detail": merged.get("status_detail"),
        "current_task": merged.get("current_task"),
        "current_tool": merged.get("current_tool"),
        "last_prompt": merged.get("last_prompt"),
        "branch": merged.get("branch"),
        "repo": merged.get("repo"),
        "cwd": merged.get("cwd"),
        "host": merged.get("host"),
        "session_id": session_id,
        "short_id": session_id[:8] if session_id else None,
        "model": merged.get("model"),
        "start_source": merged.get("start_source"),
        "last_event": merged.get("last_event"),
        "subagents": _subagents(merged.get("subagents")),
        "last_commit": merged.get("last_commit"),
        "last_seen": clock.iso(last_seen),
        "open_blockers": open_blockers,
    }
    spent = usage.get(session_id or "", costs.UNKNOWN_USAGE)  # null when nothing is known, never 0
    public["cost_usd"], public["tokens"] = spent["cost_usd"], spent["tokens"]
    public["attention"] = attention.attention(public, status_since=merged.get("status_since"), last_seen=last_seen)
    return public


def _blocker_counts(blockers: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for blocker in blockers:
        if blocker["instance"]:
            counts[blocker["instance"]] = counts.get(blocker["instance"], 0) + 1
    return counts


async def list_instances(
    ctx: AppContext, *, session: AsyncSession, blockers: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Every instance not archived, merged across sources: those that need someone first (most urgent,
    longest waiting), then the others by latest activity."""
    merged = _tracker_instances(tracker_of(ctx))
    archived: set[str] = set()
    if merged:  # a tracker-file instance archived by hand stays out of the list (its row is the only trace)
        archived = set(
            await session.scalars(
                select(Instance.id).where(Instance.archived_at.is_not(None), Instance.id.in_(list(merged)))
            )
        )
    for row in await session.scalars(select(Instance).where(Instance.archived_at.is_(None))):
        merged[row.id] = _overlay(merged.get(row.id), row)
    if blockers is None:
        blockers = await projects.list_blockers(ctx, session=session)
    counts = _blocker_counts(blockers)
    listed = [key for key in sorted(merged) if key not in archived]
    usage = await _usage(session, (merged[key] for key in listed))
    public = [_public(ctx, merged[key], counts.get(key, 0), usage) for key in listed]
    return attention.card_order(public)


async def public_instances(ctx: AppContext, *, session: AsyncSession, rows: Iterable[Instance]) -> list[dict[str, Any]]:
    """The public form of the instances of `rows` (for hub events after a write, from the rows it wrote)."""
    tracker = _tracker_instances(tracker_of(ctx))
    found = {row.id: _overlay(tracker.get(row.id), row) for row in sorted(rows, key=lambda row: row.id)}
    counts = await projects.open_blocker_counts(ctx, session=session, instances=found.keys())
    usage = await _usage(session, found.values())
    return [_public(ctx, merged, counts.get(instance_id, 0), usage) for instance_id, merged in found.items()]


async def get_instance(ctx: AppContext, *, session: AsyncSession, instance_id: str) -> dict[str, Any] | None:
    base = _tracker_instances(tracker_of(ctx)).get(instance_id)
    row = await session.get(Instance, instance_id)
    if row is None and base is None:
        return None
    merged = _overlay(base, row) if row is not None else base
    assert merged is not None
    blockers = await projects.list_blockers(ctx, session=session, instance=instance_id)
    public = _public(ctx, merged, len(blockers), await _usage(session, [merged]))
    public["archived_at"] = clock.iso(row.archived_at) if row is not None else None
    return public


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
        # the store may hold a few more than the cap until the next trim (ingest.Timelines); a read never shows them
        "timeline": await timeline(
            session=session, instance_id=instance_id, limit=min(limit, ctx.settings.monitoring.event_retention)
        ),
        "tasks": tasks,
        "blockers": await projects.list_blockers(ctx, session=session, instance=instance_id),
    }


# --- activity across sessions ------------------------------------------------------------------

ACTIVITY_FILTERS = ("instance", "repo", "host", "kind")
PULSE_MINUTES = 30
PULSE_ROWS_CAP = 20_000


async def activity(
    *,
    session: AsyncSession,
    instance: str | None = None,
    repo: str | None = None,
    host: str | None = None,
    kind: str | None = None,
    limit: int = 200,
) -> dict[str, Any]:
    """The latest timeline entries of every instance (newest first), filtered, with what the filters can be."""
    query = select(InstanceEvent, Instance.repo, Instance.host, Instance.session_id, Instance.name).join(
        Instance, Instance.id == InstanceEvent.instance_id
    )
    for column, value in (
        (InstanceEvent.instance_id, instance),
        (Instance.repo, repo),
        (Instance.host, host),
        (InstanceEvent.kind, kind),
    ):
        if value:
            query = query.where(column == value)
    rows = (await session.execute(query.order_by(InstanceEvent.id.desc()).limit(limit))).all()
    events = [
        {
            **present_event(event, with_data=False),
            "repo": repo_name or name,
            "host": host_name,
            "short_id": session_id[:8] if session_id else None,
            "tool_summary": claude.tool_summary(event.data or {}),
        }
        for event, repo_name, host_name, session_id, name in rows
    ]
    live = (await session.execute(select(Instance.id, Instance.repo, Instance.host, Instance.name))).all()
    kinds = await session.scalars(select(InstanceEvent.kind).distinct())
    return {
        "events": events,
        "choices": {
            "instance": sorted(row.id for row in live),
            "repo": sorted({row.repo or row.name for row in live if row.repo or row.name}),
            "host": sorted({row.host for row in live if row.host}),
            "kind": sorted(set(kinds)),
        },
    }


async def pulse(*, session: AsyncSession, minutes: int = PULSE_MINUTES) -> dict[str, Any]:
    """Tool calls per minute per session over the last `minutes` (disler's "pulse"), for the activity chart."""
    now = clock.now()
    start = (now - timedelta(minutes=minutes - 1)).replace(second=0, microsecond=0)
    rows = (
        await session.execute(
            select(InstanceEvent.instance_id, InstanceEvent.at)
            .where(InstanceEvent.kind == "tool", InstanceEvent.at >= start)
            .limit(PULSE_ROWS_CAP)
        )
    ).all()
    series: dict[str, list[int]] = {}
    for instance_id, at in rows:
        slot = int((at - start).total_seconds() // 60)
        if 0 <= slot < minutes:
            series.setdefault(instance_id, [0] * minutes)[slot] += 1
    names = {
        row.id: " ".join(p for p in (row.repo or row.name or row.id, (row.session_id or "")[:8]) if p)
        for row in await session.execute(
            select(Instance.id, Instance.repo, Instance.name, Instance.session_id).where(Instance.id.in_(list(series)))
        )
    }
    return {
        "start": clock.iso(start),
        "minutes": minutes,
        "series": [
            {"instance": key, "name": names.get(key, key), "counts": counts} for key, counts in sorted(series.items())
        ],
    }


# --- the dashboard -------------------------------------------------------------------------


async def dashboard_section(ctx: AppContext) -> dict[str, Any]:
    """The `instances` section: merged instances (in card order), those that need someone (`attention`,
    most urgent and longest waiting first), derived metrics, open blockers, source errors and the tracker
    file's status (`{file, ok, problem, since, last_good_at, warnings}`, None without `monitoring.dir`)."""
    async with ctx.db.sessions() as session:
        figures = await projects.fleet_figures(ctx, session=session)
        instances = await list_instances(ctx, session=session, blockers=figures["blockers"])
    metrics = dict(figures["metrics"])
    metrics["active_instances"] = sum(1 for instance in instances if instance["status"] in LIVE)
    metrics["total_instances"] = len(instances)
    metrics["needs_attention"] = sum(1 for instance in instances if instance["attention"])
    tracker = tracker_of(ctx)
    error = tracker.error
    return {
        "instances": instances,
        "attention": [
            {key: instance[key] for key in ("id", "name", "repo", "branch", "host", "short_id", "status", "attention")}
            for instance in instances
            if instance["attention"]
        ],
        "metrics": metrics,
        "blockers": [
            {
                key: blocker[key]
                for key in ("id", "instance", "project", "description", "severity", "opened_at", "age_hours")
            }
            for blocker in figures["blockers"]
        ],
        "source_errors": [error] if error else [],
        "tracker": tracker.status(),
        "timestamp": clock.iso(clock.now()),
    }


# --- managing sessions -----------------------------------------------------------------------


async def archive(ctx: AppContext, *, session: AsyncSession, instance_id: str) -> dict[str, Any] | None:
    """Hide an instance from the dashboard (its row and timeline stay); a tracker instance gets a row for it."""
    row = await session.get(Instance, instance_id)
    if row is None:
        row = new_row(instance_id, "tracker", "active")
        session.add(row)
    row.archived_at = clock.now()
    await session.commit()
    ctx.mark_changed("instances")
    return await get_instance(ctx, session=session, instance_id=instance_id)


async def remove(ctx: AppContext, *, session: AsyncSession, instance_id: str) -> None:
    """Delete an instance's row and its whole timeline."""
    await session.execute(delete(InstanceEvent).where(InstanceEvent.instance_id == instance_id))
    await session.execute(delete(Instance).where(Instance.id == instance_id))
    await session.commit()
    ctx.mark_changed("instances")


async def archive_ended(ctx: AppContext, *, older_than_s: float) -> int:
    """Archive the sessions that ended more than `older_than_s` ago (the dashboard stays tidy)."""
    cutoff = clock.now() - timedelta(seconds=older_than_s)
    async with ctx.db.sessions() as session:
        result = await session.execute(
            update(Instance)
            .where(Instance.status == "ended", Instance.archived_at.is_(None), Instance.last_seen < cutoff)
            .values(archived_at=clock.now())
        )
        await session.commit()
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        ctx.mark_changed("instances")
    return count


def new_row(instance_id: str, source: str, status: str) -> Instance:
    now = clock.now()
    return Instance(id=instance_id, source=source, status=status, last_seen=now, created_at=now, status_since=now)
