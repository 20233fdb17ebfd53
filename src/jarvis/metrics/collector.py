"""Metrics background jobs: one poller per `[[metrics.sources]]` entry, and retention.

`install` only registers jobs (no I/O); each job opens its own sessions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from jarvis.core.context import AppContext
from jarvis.metrics.retention import run_retention
from jarvis.metrics.sources import poll
from jarvis.settings import MetricSourceConfig

log = structlog.get_logger("jarvis.metrics")

RETENTION_JOB = "metrics-retention"
RETENTION_INTERVAL_S = 3600.0


def source_job_name(source: MetricSourceConfig) -> str:
    return f"metrics-source:{source.name}"


def _poller(ctx: AppContext, source: MetricSourceConfig) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await poll(ctx, source)

    return run


def install(ctx: AppContext) -> None:
    """Register the pollers and the retention job on the runtime."""
    for source in ctx.settings.metrics.sources:
        ctx.runtime.every(source_job_name(source), source.interval_s, _poller(ctx, source))

    async def retention() -> None:
        result = await run_retention(
            ctx.db.sessions,
            raw_days=ctx.settings.retention.raw_days,
            rollup_days=ctx.settings.retention.rollup_days,
        )
        if result.rolled_up or result.rollups_pruned:
            log.info(
                "metrics_retention",
                rolled_up=result.rolled_up,
                batches=result.batches,
                rollups_pruned=result.rollups_pruned,
            )
            ctx.mark_changed("business")

    ctx.runtime.every(RETENTION_JOB, RETENTION_INTERVAL_S, retention)
