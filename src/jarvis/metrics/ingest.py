"""The metrics write path: pushed batches go through the group-commit writer (`core/writer.py`).

A request's batch is answered once the writer's transaction holding it has committed. Under load one
transaction carries the batches of many requests: their raw points in one insert, and the latest and
daily read models upserted once per key (the newest point wins), in key order, so two writers (a
second replica, a metric pull) that touch the same keys take their row locks in the same order and
never deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core.context import AppContext
from jarvis.core.extras import Key
from jarvis.metrics import store


@dataclass(frozen=True, slots=True)
class Batch:
    points: list[store.NewPoint]
    source: str


class MetricWrites:
    """The `Batcher` of this domain: every queued batch of points in one statement per table."""

    name = "metrics"

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def write(self, session: AsyncSession, items: Sequence[Batch]) -> Sequence[int]:
        await store.record_points(session, [point for batch in items for point in batch.points])
        return [len(batch.points) for batch in items]

    async def committed(self, items: Sequence[Batch], results: Sequence[int]) -> None:
        for batch in items:
            self.ctx.hub.publish(
                "metrics.updated",
                {
                    "modules": sorted({p.module for p in batch.points}),
                    "keys": sorted({f"{p.module}.{p.key}" for p in batch.points}),
                    "count": len(batch.points),
                    "source": batch.source,
                },
            )
        self.ctx.mark_changed("business")


BATCHER = Key[MetricWrites]("metrics.writes")


def batcher_of(ctx: AppContext) -> MetricWrites:
    return ctx.extras.setdefault(BATCHER, lambda: MetricWrites(ctx))
