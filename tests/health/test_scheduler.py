"""The scheduler: absolute deadlines, bounded concurrency, batched writes, live changes,
transitions on the hub, and the done-when run against every misbehaving peer at once."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.db import Database
from jarvis.health import store
from jarvis.health.checks import Outcome
from jarvis.health.models import CheckResult
from jarvis.health.scheduler import HealthScheduler, _first_delay
from jarvis.health.specs import from_config
from jarvis.settings import ServiceConfig
from tests.health.conftest import EXPECTED
from tests.health.servers import Peer


async def count_results(ctx: AppContext) -> int:
    async with ctx.db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(CheckResult))).scalar_one())


async def test_every_peer_gets_its_status_within_one_interval_while_the_api_answers(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler
) -> None:
    """Interval 2 s, timeout 1 s: within one interval (plus the check's own budget) each service
    has its right status, and the dashboard keeps answering fast (well under the 1 s a stall
    behind a hanging check would cost) while the hanging / huge / looping peers are checked."""
    events = ctx.hub.subscribe(["health.changed"])
    seen: dict[str, str] = {}
    runner = asyncio.create_task(scheduler.run())
    slowest_answer = 0.0
    try:
        async with asyncio.timeout(2.0 + 1.0 + 2.5):  # interval + check budget + slack for a busy machine
            while not set(EXPECTED) <= set(seen):
                started = time.perf_counter()
                response = await client.get("/api/sections/health")
                slowest_answer = max(slowest_answer, time.perf_counter() - started)
                assert response.status_code == 200
                try:
                    event = await asyncio.wait_for(events.get(), 0.05)
                except TimeoutError:
                    continue
                assert event is not None
                seen[event.data["service"]] = event.data["to"]
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    assert {name: seen[name] for name in EXPECTED} == EXPECTED
    assert slowest_answer < 0.5
    # The results are buffered and written in batches: one flush writes them all.
    await scheduler.flush()
    assert await count_results(ctx) >= len(EXPECTED)
    section = (await client.get("/api/sections/health")).json()["data"]
    statuses = {s["name"]: s["status"] for s in section["services"]}
    assert {name: statuses[name] for name in EXPECTED} == EXPECTED
    assert section["overall"] == "degraded"
    assert scheduler.drift_summary()["max_ms"] is not None


async def test_deadlines_are_absolute_and_missed_slots_are_skipped(ctx: AppContext, scheduler: HealthScheduler) -> None:
    await scheduler.ensure_loaded()
    scheduler._heap.clear()
    for name in list(scheduler.services):
        scheduler.remove(name)
    spec = from_config(ServiceConfig(name="tick", kind="tcp", host="127.0.0.1", port=9, interval_s=10), "api")
    scheduler.services.clear()
    scheduler._put(spec, first_delay=0, keep_phase=True)
    base = scheduler._heap[0][0]
    # Launched 3 s late: the next deadline is still base + 10, not "now + 10".
    assert scheduler.launch_due(base + 3) == 1
    assert scheduler._heap[0][0] == base + 10
    # Still running at its next deadline: skipped (counted), never two at once.
    scheduler.services["tick"].running = True
    tasks = set(scheduler._tasks)
    assert scheduler.launch_due(base + 10) == 0 and scheduler.stats.skipped_overlaps == 1
    # Fell 35 s behind: missed slots are skipped and the phase is kept.
    scheduler.services["tick"].running = False
    assert scheduler.launch_due(base + 55) == 1
    assert scheduler._heap[0][0] == base + 60
    for task in scheduler._tasks | tasks:
        task.cancel()
    await asyncio.gather(*scheduler._tasks, *tasks, return_exceptions=True)


async def test_removed_or_replaced_services_drop_their_old_deadlines(
    ctx: AppContext, scheduler: HealthScheduler
) -> None:
    await scheduler.ensure_loaded()
    now = asyncio.get_running_loop().time()
    good = scheduler.services["good"].spec
    scheduler.remove("good")
    assert "good" not in scheduler.services
    launched = scheduler.launch_due(now + 1000)
    assert launched == len(scheduler.services)  # every other service, not "good"
    scheduler.upsert(good)  # re-added: one fresh deadline within a second
    entries = [entry for entry in scheduler._heap if entry[2] == "good"]
    assert len(entries) == 1 and entries[0][0] <= asyncio.get_running_loop().time() + 1.0
    for task in list(scheduler._tasks):
        task.cancel()
    await asyncio.gather(*scheduler._tasks, return_exceptions=True)


async def test_bounded_concurrency(ctx: AppContext, peer: Peer) -> None:
    specs = {
        f"h{i}": from_config(ServiceConfig(name=f"h{i}", url=f"{peer.url}/slow", interval_s=60), "config")
        for i in range(6)
    }
    scheduler = HealthScheduler(ctx, specs, concurrency=2)
    await scheduler.ensure_loaded()
    started = time.perf_counter()
    scheduler.launch_due(asyncio.get_running_loop().time() + 60)
    await asyncio.gather(*scheduler._tasks)
    # 6 checks of 0.3 s, two at a time: three rounds.
    assert time.perf_counter() - started >= 0.85
    assert scheduler.stats.checks == 6


async def test_results_are_written_in_batches(ctx: AppContext, scheduler: HealthScheduler) -> None:
    await scheduler.ensure_loaded()
    at = clock.now()
    for i in range(500):
        scheduler.record("good", Outcome(at + timedelta(seconds=i), "healthy", 1.0, 200))
    flushes = scheduler.stats.flushes
    assert await scheduler.flush() == 500
    assert scheduler.stats.flushes == flushes + 1  # one transaction for 500 results
    assert await count_results(ctx) == 500
    assert await scheduler.flush() == 0


async def test_transitions_go_on_the_hub_once_and_mark_the_section_changed(
    ctx: AppContext, scheduler: HealthScheduler, frozen_clock: clock.FrozenClock
) -> None:
    await scheduler.ensure_loaded()
    events = ctx.hub.subscribe(["health.changed"])
    first = frozen_clock.current
    scheduler.record("good", Outcome(first, "healthy", 5.0, 200))
    scheduler.record("good", Outcome(frozen_clock.advance(30), "healthy", 6.0, 200))
    down_at = frozen_clock.advance(30)
    scheduler.record("good", Outcome(down_at, "offline", None, 500, "HTTP 500"))
    got = [events.queue.get_nowait() for _ in range(events.queue.qsize())]
    assert [(e.data["from"], e.data["to"]) for e in got if e is not None] == [
        ("unknown", "healthy"),
        ("healthy", "offline"),
    ]
    last = got[-1]
    assert last is not None
    assert last.data == {
        "service": "good",
        "from": "healthy",
        "to": "offline",
        "at": clock.iso(down_at),
        "error": "HTTP 500",
        "latency_ms": None,
    }
    assert scheduler.services["good"].last_change == down_at
    ctx.cache.set("dashboard:health", "old", 60)
    await scheduler.flush()
    assert ctx.cache.peek("dashboard:health") is None


async def test_a_restart_keeps_status_last_change_and_recent(
    ctx: AppContext, scheduler: HealthScheduler, frozen_clock: clock.FrozenClock
) -> None:
    await scheduler.ensure_loaded()
    changed = frozen_clock.current
    scheduler.record("good", Outcome(changed, "degraded", 1500.0, 200, "slow"))
    scheduler.record("good", Outcome(frozen_clock.advance(30), "degraded", 1400.0, 200, "slow"))
    await scheduler.flush()
    events = ctx.hub.subscribe(["health.changed"])
    again = HealthScheduler(ctx, scheduler.static)
    await again.ensure_loaded()
    live = again.services["good"]
    assert (live.status, live.last_change, live.latency_ms) == ("degraded", changed, 1400.0)
    assert [status for _, status, _ in live.recent] == ["degraded", "degraded"]
    again.record("good", Outcome(frozen_clock.advance(30), "degraded", 1300.0, 200, "slow"))
    assert events.queue.qsize() == 0  # no transition invented by the restart


async def test_a_failed_write_keeps_the_results(ctx: AppContext, scheduler: HealthScheduler, tmp_path: Path) -> None:
    """A database without the tables stands in for one that is down: nothing is lost."""
    await scheduler.ensure_loaded()
    scheduler.record("good", Outcome(clock.now(), "healthy", 1.0, 200))
    original, ctx.db = ctx.db, Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        assert await scheduler.flush() == 0 and scheduler.stats.flush_failures == 1
    finally:
        await ctx.db.dispose()
        ctx.db = original
    assert await scheduler.flush() == 1
    assert await count_results(ctx) == 1


async def test_a_flush_cancelled_mid_write_keeps_the_results(
    ctx: AppContext, scheduler: HealthScheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shutdown cancels the flush loop, possibly while it writes: the rows it held go to the last flush."""
    await scheduler.ensure_loaded()
    scheduler.record("good", Outcome(clock.now(), "healthy", 1.0, 200))
    scheduler.record("slow", Outcome(clock.now(), "degraded", 900.0, 200))
    writing = asyncio.Event()

    async def hang(*_args: object) -> None:
        writing.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(store, "write_batch", hang)
    flushing = asyncio.create_task(scheduler.flush())
    await asyncio.wait_for(writing.wait(), 5)
    flushing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await flushing
    monkeypatch.undo()
    assert await scheduler.flush() == 2
    assert await count_results(ctx) == 2


def test_first_check_keeps_the_phase_of_a_recent_one_and_comes_soon_otherwise(frozen_clock: clock.FrozenClock) -> None:
    spec = from_config(ServiceConfig(name="api", url="http://127.0.0.1:1/", interval_s=30), "config")
    recent = clock.now() - timedelta(seconds=10)
    assert _first_delay(spec, recent, services=1) == (20.0, True)  # one interval after the last check
    overdue = clock.now() - timedelta(seconds=45)
    delay, keep_phase = _first_delay(spec, overdue, services=1)
    assert 0 <= delay <= 1.0 and not keep_phase
    assert 0 <= _first_delay(spec, None, services=1)[0] <= 1.0  # never checked: within a second
    assert all(0 <= _first_delay(spec, None, services=500)[0] <= 10.0 for _ in range(200))  # spread, not a burst


async def test_services_added_together_spread_over_the_interval_after_their_first_check(
    scheduler: HealthScheduler,
) -> None:
    await scheduler.ensure_loaded()
    scheduler._heap.clear()
    scheduler.services.clear()
    names = [f"svc-{n:02d}" for n in range(40)]
    for name in names:
        config = ServiceConfig(name=name, kind="tcp", host="127.0.0.1", port=9, interval_s=60)
        scheduler.upsert(from_config(config, "api"))
    start = asyncio.get_running_loop().time()
    for live in scheduler.services.values():
        live.running = True  # count launches without running checks: only the schedule is under test
    scheduler.launch_due(start + 1.0)  # every first check is due within a second
    seconds = sorted((due - start) % 60 for due, *_ in scheduler._heap)
    assert len(seconds) == len(names)
    assert max(b - a for a, b in zip(seconds, seconds[1:], strict=False)) < 15  # spread, not 40 in one second
    assert seconds[-1] - seconds[0] > 30
