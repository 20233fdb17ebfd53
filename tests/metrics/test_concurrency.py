"""Concurrent metric batches over the same keys: no deadlock, nothing lost (PostgreSQL answered 500
"deadlock detected" for 185 of 320 batches when the upserts ran in arrival order)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from jarvis.core.context import AppContext
from jarvis.metrics import store
from jarvis.metrics.models import MetricLatest, MetricPoint

KEYS = [f"k{i}" for i in range(10)]


async def test_sixteen_concurrent_batches_in_different_orders_all_commit(
    client: httpx.AsyncClient, ctx: AppContext
) -> None:
    shuffler = random.Random(7)
    statuses: list[int] = []
    for round_ in range(20):
        bodies = []
        for _ in range(16):
            order = KEYS[:]
            shuffler.shuffle(order)
            bodies.append({"points": [{"module": "music", "key": key, "value": round_} for key in order]})
        answers = await asyncio.gather(*(client.post("/api/metrics", json=body) for body in bodies))
        statuses += [answer.status_code for answer in answers]
    assert statuses == [201] * 320
    async with ctx.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(MetricPoint)) == 3200
        latest = (await session.execute(select(MetricLatest.key, MetricLatest.value))).all()
    assert sorted(latest) == [(key, 19.0) for key in sorted(KEYS)]


async def test_two_writers_of_the_same_keys_lock_them_in_one_order(ctx: AppContext) -> None:
    """What a second replica or a metric pull does beside the writer: its own transactions, keys in any
    order. The read models are upserted in key order, so these never wait on each other in a circle."""
    base = datetime(2026, 11, 25, tzinfo=UTC)

    async def batch(n: int) -> None:
        order = KEYS[::-1] if n % 2 else KEYS
        points = [store.NewPoint("music", key, n, base + timedelta(seconds=n), "test") for key in order]
        async with ctx.db.sessions() as session:
            await store.record_points(session, points)
            await session.commit()

    for _ in range(5):
        await asyncio.gather(*(batch(n) for n in range(16)))
    async with ctx.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(MetricPoint)) == 5 * 16 * 10
