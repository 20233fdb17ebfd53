"""The costs write path: decoded OTLP batches go through the group-commit writer (`core/writer.py`).

A request is answered once the transaction holding its batch has committed. Refusals were decided
before (`parse.py`, no database needed); the writer only stores what is new and bumps the per-session
totals, then tells the dashboard that the instances (which show each session's cost) changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core.context import AppContext
from jarvis.core.extras import Key
from jarvis.costs import store
from jarvis.costs.parse import Parsed


@dataclass(frozen=True, slots=True)
class Stored:
    points: int
    requests: int
    events: int

    @property
    def anything(self) -> bool:
        return bool(self.points or self.requests or self.events)


class CostWrites:
    """The `Batcher` of this domain: every queued batch's rows, then one upsert of the session totals."""

    name = "costs"

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def write(self, session: AsyncSession, items: Sequence[Parsed]) -> Sequence[Stored]:
        sessions: dict[str, store.Totals] = {}
        results = []
        for parsed in items:  # one after the other: a later batch sees the series an earlier one moved
            results.append(
                Stored(
                    await store.store_points(session, parsed.points, sessions),
                    await store.store_requests(session, parsed.requests, sessions),
                    await store.store_events(session, parsed.events, sessions),
                )
            )
        await store.bump_sessions(session, sessions)
        return results

    async def committed(self, items: Sequence[Parsed], results: Sequence[Stored]) -> None:
        if not any(result.anything for result in results):
            return
        self.ctx.hub.publish(
            "costs.updated",
            {
                "points": sum(r.points for r in results),
                "requests": sum(r.requests for r in results),
                "events": sum(r.events for r in results),
            },
        )
        self.ctx.mark_changed("instances")
        self.ctx.mark_changed("financial")  # AI spend is part of burn and runway


BATCHER = Key[CostWrites]("costs.writes")


def batcher_of(ctx: AppContext) -> CostWrites:
    return ctx.extras.setdefault(BATCHER, lambda: CostWrites(ctx))


async def submit(ctx: AppContext, parsed: Parsed) -> Stored:
    """Queue one decoded batch; returns once it is committed."""
    if not (parsed.points or parsed.requests or parsed.events):
        return Stored(0, 0, 0)
    return await ctx.writer.submit(batcher_of(ctx), parsed)
