"""Instances background jobs: watch the tracker file (an mtime poll, cheap and testable), and archive
the sessions that ended more than `attention.archive_ended_after_s` ago.

`install` only registers state and the job; the job does the file I/O, the first run at
start-up. Tests call `ctx.extras[TRACKER].reload()` or `ctx.runtime.run_once(JOB)`.
"""

from __future__ import annotations

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.instances import service
from jarvis.projects.service import present_blocker
from jarvis.tracker.service import TRACKER, TrackerData, TrackerState

JOB = "instances-tracker"
ARCHIVE_JOB = "instances-archive-ended"
POLL_S = 1.0
ARCHIVE_EVERY_S = 60.0


def install(ctx: AppContext) -> None:
    """Register this domain's jobs and state on the app context."""
    state = TrackerState(ctx.settings.tracker_path, max_bytes=ctx.settings.monitoring.tracker_max_bytes)
    ctx.extras[TRACKER] = state

    async def poll() -> None:
        status_before = state.status()
        change = await state.poll()
        if change is not None:
            await announce(ctx, *change)
        elif state.status() != status_before:  # a problem began, changed or ended: the section says so
            ctx.mark_changed("instances")

    if state.path is not None:
        ctx.runtime.every(JOB, POLL_S, poll)

    async def archive() -> None:
        await service.archive_ended(ctx, older_than_s=ctx.settings.attention.archive_ended_after_s)

    ctx.runtime.every(ARCHIVE_JOB, ARCHIVE_EVERY_S, archive)


async def reload(ctx: AppContext) -> None:
    """Re-read the tracker file now (whatever its mtime) and announce what changed."""
    state = ctx.extras[TRACKER]
    change = await state.reload()
    if change is not None:
        await announce(ctx, *change)
    ctx.mark_changed("instances", "waves")


async def announce(ctx: AppContext, before: TrackerData, after: TrackerData) -> None:
    """Hub events for what the new file says: updated instances (in their merged public form),
    opened and resolved blockers."""
    ctx.mark_changed("instances", "waves")
    changed = [key for key, raw in after.instances.items() if before.instances.get(key) != raw]
    if changed:
        async with ctx.db.sessions() as session:
            for instance_id in changed:
                instance = await service.get_instance(ctx, session=session, instance_id=instance_id)
                if instance is not None:
                    ctx.hub.publish("instance.updated", instance)
    old = {b["id"]: b for b in before.blockers}
    new = {b["id"]: b for b in after.blockers}
    for blocker_id in new.keys() - old.keys():
        ctx.hub.publish("blocker.opened", present_blocker(new[blocker_id], source="tracker"))
    for blocker_id in old.keys() - new.keys():
        gone = {**old[blocker_id], "resolved_at": clock.now()}
        ctx.hub.publish("blocker.resolved", present_blocker(gone, source="tracker"))
