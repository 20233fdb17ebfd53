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

from sqlalchemy import delete, func, select
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


def target(item: Item) -> str:
    """The id of the instance an item writes to."""
    if isinstance(item, Hook):
        return claude.instance_id(item.host.translate(INVISIBLE), str(item.payload["session_id"]).translate(INVISIBLE))
    return item.instance_id


@dataclass(slots=True)
class Rows:
    """A batch's instance rows, read in one query; a row created by one item is the next item's row."""

    session: AsyncSession
    found: dict[str, Instance]

    @classmethod
    async def load(cls, session: AsyncSession, ids: set[str]) -> Rows:
        rows = await session.scalars(select(Instance).where(Instance.id.in_(sorted(ids))))
        return cls(session, {row.id: row for row in rows})

    def row(self, instance_id: str, source: str, status: str) -> tuple[Instance, bool]:
        row = self.found.get(instance_id)
        if row is not None:
            return row, False
        row = self.found[instance_id] = service.new_row(instance_id, source, status)
        self.session.add(row)
        return row, True


def _set_status(row: Instance, status: str, detail: dict[str, Any] | None) -> None:
    if row.status != status or row.status_detail != detail:
        row.status_since = clock.now()
    row.status, row.status_detail = status, detail


async def heartbeat(rows: Rows, item: Heartbeat) -> Written:
    """Upsert the instance; status changes and new commits go to the timeline. Heartbeats revive an archived one."""
    body, instance_id = item.body, item.instance_id
    row, created = rows.row(instance_id, "heartbeat", body.status)
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


async def event(rows: Rows, item: Event) -> Written:
    """An event for a known instance; it counts as a sign of life."""
    body = item.body
    row, _ = rows.row(item.instance_id, "tracker", "active")  # a tracker instance: no status of its own
    row.last_seen = clock.now()
    data = dict(body.data or {})
    if body.commit is not None:
        commit = body.commit.public()
        row.last_commit = commit
        data["commit"] = commit
    message = body.message or (body.commit.message if body.commit else None)
    return Written(item.instance_id, [_event(item.instance_id, body.kind, message, data or None)])


async def hook(rows: Rows, item: Hook) -> Written:
    """Apply one Claude Code hook event to its session (see `claude.interpret` and docs/agents.md)."""
    payload = item.payload
    session_id = str(payload["session_id"]).translate(INVISIBLE)
    host = item.host.translate(INVISIBLE)
    instance_id = target(item)
    row, _ = rows.row(instance_id, "claude-code", "idle")
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
        await projects.record_agent_task(session=rows.session, repo=row.repo, instance_id=instance_id, **change.task)
    row.last_event = (claude.text(payload, "hook_event_name", cap=100) or "unknown")[:100]
    row.last_seen = clock.now()
    return Written(instance_id, [_event(instance_id, change.kind, change.message, claude.trim(payload))])


async def apply(rows: Rows, item: Item) -> Written:
    match item:
        case Heartbeat():
            return await heartbeat(rows, item)
        case Event():
            return await event(rows, item)
        case Hook():
            return await hook(rows, item)


class Timelines:
    """Keeps each instance's timeline to `event_retention` entries without a query per batch.

    It counts what each instance holds (one grouped count the first time a batch touches an instance
    this process has not seen) and trims an instance only once it holds a tenth more than the cap, so a
    steady stream of events costs a trim every few dozen events instead of two statements per batch.
    Reads show at most `event_retention` entries (`service.instance_detail`), so the slack never shows.
    """

    def __init__(self, retention: int) -> None:
        self.retention = retention
        self.slack = max(1, retention // 10)
        self.held: dict[str, int] = {}

    async def added(self, session: AsyncSession, added: dict[str, int], created: set[str]) -> None:
        """After the batch's flush: `added` entries per instance, `created` the instances new in this batch."""
        unseen = {i for i in added if i not in self.held and i not in created}
        if unseen:  # counted after the flush, so the count holds this batch's entries too
            counts = await session.execute(
                select(InstanceEvent.instance_id, func.count())
                .where(InstanceEvent.instance_id.in_(sorted(unseen)))
                .group_by(InstanceEvent.instance_id)
            )
            self.held.update(dict.fromkeys(unseen, 0))
            self.held.update(dict(counts.all()))
        for instance_id, count in added.items():
            if instance_id not in unseen:
                self.held[instance_id] = self.held.get(instance_id, 0) + count
            slack = 0 if instance_id in unseen else self.slack
            if self.held[instance_id] > self.retention + slack:
                await self._trim(session, instance_id)

    async def _trim(self, session: AsyncSession, instance_id: str) -> None:
        cutoff = await session.scalar(
            select(InstanceEvent.id)
            .where(InstanceEvent.instance_id == instance_id)
            .order_by(InstanceEvent.id.desc())
            .offset(self.retention)
            .limit(1)
        )
        if cutoff is not None:
            await session.execute(
                delete(InstanceEvent).where(InstanceEvent.instance_id == instance_id, InstanceEvent.id <= cutoff)
            )
        self.held[instance_id] = self.retention  # an over-count (a rolled-back batch) only trims sooner


class InstanceWrites:
    """The `Batcher` of this domain: a batch of heartbeats, events and hook events in one transaction."""

    name = "instances"

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.timelines = Timelines(ctx.settings.monitoring.event_retention)

    async def write(self, session: AsyncSession, items: Sequence[Item]) -> Sequence[Written]:
        rows = await Rows.load(session, {target(item) for item in items})
        existing = set(rows.found)
        results = [await apply(rows, item) for item in items]
        added: dict[str, int] = {}
        for written in results:
            session.add_all(written.events)
            added[written.instance_id] = added.get(written.instance_id, 0) + len(written.events)
        await session.flush()  # one INSERT for the batch's new rows, one for its timeline entries
        await self.timelines.added(session, added, set(rows.found) - existing)
        written_rows = [rows.found[instance_id] for instance_id in added]
        public = {i["id"]: i for i in await service.public_instances(self.ctx, session=session, rows=written_rows)}
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
