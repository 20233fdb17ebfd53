"""The instances write path: heartbeats, typed events and Claude Code hook events.

Every write goes through the group-commit writer (`core/writer.py`): `submit` queues it and returns
once the batch holding it has committed, and only then are the hub and the dashboard told. One
writer per database means two first events of one session never race for its row; a batch trims
each instance's timeline once, not once per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.extras import Key
from jarvis.core.text import INVISIBLE
from jarvis.instances import claude, service
from jarvis.instances.models import Instance, InstanceEvent
from jarvis.instances.schemas import EventIn, HeartbeatIn
from jarvis.projects import service as projects


@dataclass(frozen=True, slots=True)
class Heartbeat:
    instance_id: str
    body: HeartbeatIn


@dataclass(frozen=True, slots=True)
class Event:
    instance_id: str
    body: EventIn


@dataclass(frozen=True, slots=True)
class Hook:
    payload: dict[str, Any]
    host: str


Item = Heartbeat | Event | Hook


@dataclass(slots=True)
class Written:
    """One write's outcome: its instance, the timeline entries it added, the instance's public form after the batch."""

    instance_id: str
    events: list[InstanceEvent] = field(default_factory=list)
    instance: dict[str, Any] | None = None


def _event(instance_id: str, kind: str, message: str | None, data: dict[str, Any] | None) -> InstanceEvent:
    return InstanceEvent(instance_id=instance_id, kind=kind, message=message, data=data, at=clock.now())


async def _row(session: AsyncSession, instance_id: str, source: str, status: str) -> tuple[Instance, bool]:
    row = await session.get(Instance, instance_id)
    if row is not None:
        return row, False
    row = service.new_row(instance_id, source, status)
    session.add(row)
    return row, True


def _set_status(row: Instance, status: str, detail: dict[str, Any] | None) -> None:
    if row.status != status or row.status_detail != detail:
        row.status_since = clock.now()
    row.status, row.status_detail = status, detail


async def heartbeat(session: AsyncSession, item: Heartbeat) -> Written:
    """Upsert the instance; status changes and new commits go to the timeline. Heartbeats revive an archived one."""
    body, instance_id = item.body, item.instance_id
    row, created = await _row(session, instance_id, "heartbeat", body.status)
    previous_status = None if created or row.source == "tracker" else row.status
    row.source = "heartbeat"
    row.archived_at = None
    previous_commit = (row.last_commit or {}).get("hash")
    _set_status(row, body.status, None)
    row.last_seen = clock.now()
    for name in ("name", "role", "current_task", "branch", "repo", "host", "cwd"):
        value = getattr(body, name)
        if value is not None:
            setattr(row, name, value)
    written = Written(instance_id)
    if previous_status != body.status:
        message = f"Status {previous_status} → {body.status}" if previous_status else f"Status {body.status}"
        written.events.append(_event(instance_id, "status", message, {"status": body.status}))
    if body.last_commit is not None:
        commit = body.last_commit.public()
        row.last_commit = commit
        if commit["hash"] != previous_commit:
            written.events.append(_event(instance_id, "commit", commit["message"], commit))
    return written


async def event(session: AsyncSession, item: Event) -> Written:
    """An event for a known instance; it counts as a sign of life."""
    body = item.body
    row, _ = await _row(session, item.instance_id, "tracker", "active")  # a tracker instance: no status of its own
    row.last_seen = clock.now()
    data = dict(body.data or {})
    if body.commit is not None:
        commit = body.commit.public()
        row.last_commit = commit
        data["commit"] = commit
    message = body.message or (body.commit.message if body.commit else None)
    return Written(item.instance_id, [_event(item.instance_id, body.kind, message, data or None)])


async def hook(session: AsyncSession, item: Hook) -> Written:
    """Apply one Claude Code hook event to its session (see `claude.interpret` and docs/agents.md)."""
    payload = item.payload
    session_id = str(payload["session_id"]).translate(INVISIBLE)
    host = item.host.translate(INVISIBLE)
    instance_id = claude.instance_id(host, session_id)
    row, _ = await _row(session, instance_id, "claude-code", "idle")
    row.session_id = row.session_id or session_id[:200]
    row.host = row.host or host[:255]
    row.archived_at = None  # a resumed session comes back
    change = claude.interpret(payload, row.status, row.status_detail)
    if change.status is not None:
        _set_status(row, change.status, change.detail)
    if change.tool is not None:
        row.current_tool = change.tool
    elif change.clear_tool:
        row.current_tool = None
    if change.prompt is not None:
        row.last_prompt = change.prompt
    fields = {
        "cwd": claude.text(payload, "cwd", cap=1000),
        "branch": claude.text(payload, "branch", "git_branch", cap=255),
        **change.fields,
    }
    for name, value in fields.items():
        if value:
            setattr(row, name, value)
    row.name = claude.session_name(row.cwd, row.session_id)
    repo = claude.text(payload, "repo", cap=500)  # `jarvis hook` sends the git top-level folder's name
    if repo or fields.get("cwd") or not row.repo:
        row.repo = repo or row.name
    if change.subagent is not None:
        agent_id, state = change.subagent
        subagents = dict(row.subagents or {})
        subagents[agent_id] = {**state, "since": clock.iso(clock.now())}
        row.subagents = dict(list(subagents.items())[-20:])
    if change.task is not None and row.repo:
        await projects.record_agent_task(session=session, repo=row.repo, instance_id=instance_id, **change.task)
    row.last_event = (claude.text(payload, "hook_event_name", cap=100) or "unknown")[:100]
    row.last_seen = clock.now()
    return Written(instance_id, [_event(instance_id, change.kind, change.message, claude.trim(payload))])


async def apply(session: AsyncSession, item: Item) -> Written:
    match item:
        case Heartbeat():
            return await heartbeat(session, item)
        case Event():
            return await event(session, item)
        case Hook():
            return await hook(session, item)


async def _trim(session: AsyncSession, instance_id: str, retention: int) -> None:
    """Drop what is past the per-instance retention cap (two statements per instance per batch)."""
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


class InstanceWrites:
    """The `Batcher` of this domain: a batch of heartbeats, events and hook events in one transaction."""

    name = "instances"

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def write(self, session: AsyncSession, items: Sequence[Item]) -> Sequence[Written]:
        results: list[Written] = []
        for item in items:
            written = await apply(session, item)
            session.add_all(written.events)
            await session.flush()  # the row exists for the next item of the same instance
            results.append(written)
        ids = {written.instance_id for written in results}
        retention = self.ctx.settings.monitoring.event_retention
        for instance_id in sorted(ids):
            await _trim(session, instance_id, retention)
        public = {i["id"]: i for i in await service.public_instances(self.ctx, session=session, ids=ids)}
        for written in results:
            written.instance = public.get(written.instance_id)
        return results

    async def committed(self, items: Sequence[Item], results: Sequence[Written]) -> None:
        hub = self.ctx.hub
        latest: dict[str, dict[str, Any]] = {}
        for written in results:
            status = (written.instance or {}).get("status")
            for row in written.events:
                hub.publish("instance.event", {**service.present_event(row, with_data=False), "status": status})
            if written.instance is not None:
                latest[written.instance_id] = written.instance
        for instance in latest.values():
            hub.publish("instance.updated", instance)
        self.ctx.mark_changed("instances")
        if any(isinstance(item, Hook) and item.payload.get("hook_event_name") in TASK_EVENTS for item in items):
            self.ctx.mark_changed("waves")


TASK_EVENTS = {"TaskCreated", "TaskCompleted"}
BATCHER = Key[InstanceWrites]("instances.writes")


def batcher_of(ctx: AppContext) -> InstanceWrites:
    return ctx.extras.setdefault(BATCHER, lambda: InstanceWrites(ctx))


async def submit(ctx: AppContext, item: Item) -> Written:
    """Queue one write; returns once it is committed and announced."""
    return await ctx.writer.submit(batcher_of(ctx), item)
