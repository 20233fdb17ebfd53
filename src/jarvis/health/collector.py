"""Start-up wiring: the scheduler (a long-running task) and the retention job.

`install` does no I/O: the scheduler reads API services and last states lazily, on its
first run or the first request that needs them.
"""

from __future__ import annotations

from jarvis.core.context import AppContext
from jarvis.health.retention import run_retention
from jarvis.health.scheduler import SCHEDULER, HealthScheduler
from jarvis.health.specs import static_specs

RETENTION_EVERY_S = 300.0


def install(ctx: AppContext) -> None:
    """Register the scheduler on `ctx.extras[SCHEDULER]` and its jobs on the runtime."""
    scheduler = HealthScheduler(ctx, static_specs(ctx.settings))
    ctx.extras[SCHEDULER] = scheduler
    ctx.runtime.task("health-scheduler", scheduler.run)

    async def retention() -> None:
        await run_retention(ctx)

    ctx.runtime.every("health-retention", RETENTION_EVERY_S, retention)
