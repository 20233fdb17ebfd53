"""The check scheduler: every service on its own interval, on absolute deadlines.

A heap holds each service's next due time (monotonic clock). A due service's next deadline
is its previous one plus its interval, never "now + interval", so checks do not drift as
services grow; a slot missed entirely is skipped, not bunched. Checks run as tasks bounded
by a semaphore; one slow check never delays another's start beyond the bound. Results are
buffered and written in batches (one transaction per flush, not per check).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import structlog
from sqlalchemy import select

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.delivery import DELIVERER
from jarvis.core.extras import Key
from jarvis.core.http import make_client
from jarvis.core.outbound import OutboundPolicy
from jarvis.health import maintenance, push, store
from jarvis.health.alerts import AlertState
from jarvis.health.checks import Outcome, run_check
from jarvis.health.models import MaintenanceWindow, PausedService
from jarvis.health.specs import ServiceSpec

log = structlog.get_logger("jarvis.health")

RECENT = 100  # results kept in memory per service: `recent` (last 30) and the section's p50/p95
MAX_PENDING = 50_000  # results kept for a database that is down, oldest dropped first
DRIFT_SAMPLES = 20_000
LOAD_RETRY_S = 5.0


def _phase(spec: ServiceSpec) -> float:
    """A stable offset within the interval, from the name: services added together (a config file,
    a script) get their quick first check, then spread over the interval instead of staying in step."""
    return zlib.crc32(spec.name.encode()) / 2**32 * spec.interval_s


def _first_delay(spec: ServiceSpec, last_checked: datetime | None, services: int) -> tuple[float, bool]:
    """When to check a service first after start, and whether that keeps its phase.

    A recently checked service keeps its phase across restarts (its next check is one interval
    after its last); one never or not recently checked is checked soon, spread over a second per
    50 services so that a large fleet does not start with one burst, then moves to its own phase."""
    if last_checked is not None:
        remaining = spec.interval_s - (clock.now() - last_checked).total_seconds()
        if remaining > 0:
            return min(remaining, spec.interval_s), True
    return random.uniform(0, min(spec.interval_s, max(1.0, services / 50))), False


@dataclass
class Live:
    """What the scheduler knows about one service right now."""

    spec: ServiceSpec
    generation: int
    status: str = "unknown"
    last_checked: datetime | None = None
    last_change: datetime | None = None
    latency_ms: float | None = None
    http_status: int | None = None
    error: str | None = None
    recent: deque[tuple[datetime, str, float | None]] = field(default_factory=lambda: deque(maxlen=RECENT))
    running: bool = False
    # After an early first check, the loop-clock time the service's own phase starts from (see `_phase`).
    anchor: float | None = None
    alerts: AlertState = field(default_factory=AlertState)
    # Since when its checks are paused by a person (`service.set_paused`), if they are.
    paused_at: datetime | None = None
    # The end of the maintenance window it is in (as of its last check), if any.
    maintenance_until: datetime | None = None
    # Push monitors: the last ping, and since when it has been waiting (creation, restart) for one.
    pinged_at: datetime | None = None
    waiting_since: datetime = field(default_factory=clock.now)


@dataclass
class Stats:
    checks: int = 0
    skipped_overlaps: int = 0
    flushes: int = 0
    flush_failures: int = 0
    dropped: int = 0
    drifts_ms: deque[float] = field(default_factory=lambda: deque(maxlen=DRIFT_SAMPLES))


class HealthScheduler:
    def __init__(
        self, ctx: AppContext, static: dict[str, ServiceSpec], *, concurrency: int = 100, flush_every_s: float = 1.0
    ) -> None:
        self.ctx = ctx
        self.static = static
        self.services: dict[str, Live] = {}
        self.stats = Stats()
        self.semaphore = asyncio.Semaphore(concurrency)
        # Its own client: probes connect afresh each time, and a pool full of hanging checks
        # never starves the other outbound calls (metric pulls, chat) of connections.
        self.concurrency = concurrency
        self.http = make_client(ctx.settings.http.timeout_s, max_connections=concurrency, max_keepalive=0)
        # Services created through the API connect only where `server.outbound_allow` lets them (`core/outbound.py`).
        self.policy = OutboundPolicy(ctx.settings.server.outbound_allow)
        self.guarded = self._guarded_client()
        self.flush_every_s = flush_every_s
        self.flush_at = 500  # pending results that trigger an early flush
        self._heap: list[tuple[float, int, str, int]] = []
        self._seq = itertools.count()
        self._generations = itertools.count(1)
        self._wake = asyncio.Event()
        self._flush_now = asyncio.Event()
        self._pending: list[dict[str, Any]] = []
        self.windows: list[maintenance.Window] = []  # kept in step with the table by `service.py`
        self._dirty: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loaded = False
        self._load_lock = asyncio.Lock()
        self._flush_lock = asyncio.Lock()

    # --- services ---------------------------------------------------------------------------

    async def ensure_loaded(self) -> None:
        """Read API services, last states and recent results once (lazily: install does no I/O)."""
        if self._loaded:
            return
        async with self._load_lock:
            if self._loaded:
                return
            async with self.ctx.db.sessions() as session:
                api = await store.load_api_specs(session)
                states = await store.load_states(session)
                recent = await store.load_recent(session, per_service=RECENT)
                rows = (await session.scalars(select(MaintenanceWindow))).all()
                self.windows = [maintenance.Window.of(row) for row in rows]
                paused = dict((await session.execute(select(PausedService.service, PausedService.paused_at))).all())
            specs = [*self.static.values(), *(s for s in api if s.name not in self.static)]
            for spec in specs:
                state = states.get(spec.name)
                delay, keep_phase = _first_delay(spec, state.last_checked if state else None, len(specs))
                live = self._put(spec, first_delay=delay, keep_phase=keep_phase)
                if state is not None:
                    live.status, live.last_checked, live.last_change = (
                        state.status,
                        state.last_checked,
                        state.last_change,
                    )
                    live.latency_ms, live.http_status, live.error = state.latency_ms, state.http_status, state.error
                live.recent.extend(recent.get(spec.name, []))
                if spec.name in paused:
                    live.paused_at = paused[spec.name]
            self._loaded = True

    def _put(self, spec: ServiceSpec, *, first_delay: float, keep_phase: bool = False) -> Live:
        previous = self.services.get(spec.name)
        live = Live(spec, next(self._generations))
        if previous is not None:  # a changed spec keeps what is known of the service
            live.status, live.last_checked, live.last_change = (
                previous.status,
                previous.last_checked,
                previous.last_change,
            )
            live.latency_ms, live.http_status, live.error = previous.latency_ms, previous.http_status, previous.error
            live.recent = previous.recent
            live.pinged_at, live.waiting_since = previous.pinged_at, previous.waiting_since
            live.paused_at = previous.paused_at
        self.services[spec.name] = live
        now = asyncio.get_running_loop().time()
        due = now + first_delay
        live.anchor = None if keep_phase else now + _phase(spec)
        heapq.heappush(self._heap, (due, next(self._seq), spec.name, live.generation))
        self._wake.set()
        return live

    def upsert(self, spec: ServiceSpec) -> None:
        """Add or replace a service; its first check comes within a second (live schedule update)."""
        self._put(spec, first_delay=random.uniform(0, min(1.0, spec.interval_s)))

    def remove(self, name: str) -> None:
        self.services.pop(name, None)  # its heap entry is ignored when it comes up
        self._dirty.discard(name)
        self._pending = [row for row in self._pending if row["service"] != name]
        self._wake.set()

    # --- running ----------------------------------------------------------------------------

    async def run(self) -> None:
        """The scheduler loop (a runtime task): pop what is due, launch it, sleep to the next deadline."""
        while not self._loaded:  # a database down at start-up delays the schedule, never ends it
            try:
                await self.ensure_loaded()
            except Exception:
                log.exception("health_load_failed")
                await asyncio.sleep(LOAD_RETRY_S)
        loop = asyncio.get_running_loop()
        flusher = asyncio.create_task(self._flush_loop(), name="health-flush")
        try:
            while True:
                self.launch_due(loop.time())
                delay = self._heap[0][0] - loop.time() if self._heap else None
                self._wake.clear()
                if delay is None or delay > 0:
                    try:
                        await asyncio.wait_for(self._wake.wait(), delay)
                    except TimeoutError:
                        pass
        finally:
            flusher.cancel()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(flusher, *self._tasks, return_exceptions=True)
            await self.flush()
            await self.http.aclose()
            await self.guarded.aclose()

    def launch_due(self, now: float) -> int:
        """Start every check due at `now`; schedule each one's next absolute deadline."""
        launched = 0
        while self._heap and self._heap[0][0] <= now:
            due, _, name, generation = heapq.heappop(self._heap)
            live = self.services.get(name)
            if live is None or live.generation != generation:
                continue
            interval = live.spec.interval_s
            following = due + interval
            if live.anchor is not None:  # the first check came early: move onto the service's own phase
                following, live.anchor = live.anchor + interval, None
            if following <= now:  # missed whole slots: skip them, keep the phase
                following += math.ceil((now - following) / interval + 1e-9) * interval
            heapq.heappush(self._heap, (following, next(self._seq), name, generation))
            if live.running:
                self.stats.skipped_overlaps += 1
                continue
            live.running = True
            task = asyncio.create_task(self._scheduled(live, due), name=f"health-check:{name}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            launched += 1
        return launched

    async def _scheduled(self, live: Live, due: float) -> None:
        try:
            if live.paused_at is not None:  # its turn comes and goes: nothing is checked or alerted
                return
            if live.spec.kind == "push":  # nothing to fetch: only the clock is looked at
                assert live.spec.config is not None
                late = push.overdue(live.spec.config, last=live.pinged_at or live.waiting_since, now=clock.now())
                if late is not None:
                    self.record(live.spec.name, late)
                return
            async with self.semaphore:
                self.stats.drifts_ms.append((asyncio.get_running_loop().time() - due) * 1000)
                outcome = await run_check(self.ctx, live.spec, self._client(live.spec))
            self.record(live.spec.name, outcome)
        finally:
            live.running = False

    def _client(self, spec: ServiceSpec) -> httpx.AsyncClient:
        if spec.source == "api":
            if self.guarded.is_closed:
                self.guarded = self._guarded_client()
            return self.guarded
        if self.http.is_closed:  # closed by a previous run's shutdown
            self.http = make_client(self.ctx.settings.http.timeout_s, max_connections=self.concurrency, max_keepalive=0)
        return self.http

    def _guarded_client(self) -> httpx.AsyncClient:
        timeout = self.ctx.settings.http.timeout_s
        return make_client(timeout, max_connections=self.concurrency, max_keepalive=0, policy=self.policy)

    async def check_now(self, name: str) -> Outcome:
        """A check outside the schedule (the API's "check now"); written before it returns."""
        live = self.services[name]
        outcome = await run_check(self.ctx, live.spec, self._client(live.spec))
        self.record(name, outcome)
        await self.flush()
        return outcome

    def ping(self, name: str, *, down: bool, message: str | None) -> Outcome:
        """A push monitor's ping: a result of its own, at once."""
        live = self.services[name]
        outcome = push.ping_outcome(at=clock.now(), down=down, message=message)
        live.pinged_at = outcome.at
        self.record(name, outcome)
        return outcome

    def record(self, name: str, outcome: Outcome) -> None:
        live = self.services.get(name)
        if live is None:  # removed while its check ran
            return
        self.stats.checks += 1
        previous = live.status
        if outcome.status != previous or live.last_change is None:
            live.last_change = outcome.at
        live.status, live.last_checked = outcome.status, outcome.at
        live.latency_ms, live.http_status, live.error = outcome.latency_ms, outcome.http_status, outcome.error
        live.recent.append((outcome.at, outcome.status, outcome.latency_ms))
        live.maintenance_until = maintenance.active_for(self.windows, name, outcome.at)
        if live.maintenance_until is None:  # in a window: seen, not stored (uptime skips it), and no alert
            self._pending.append(store.result_row(name, outcome))
            if len(self._pending) > MAX_PENDING:
                drop = len(self._pending) - MAX_PENDING
                del self._pending[:drop]
                self.stats.dropped += drop
        self._dirty.add(name)
        if outcome.status != previous:
            self.ctx.hub.publish(
                "health.changed",
                {
                    "service": name,
                    "from": previous,
                    "to": outcome.status,
                    "at": clock.iso(outcome.at),
                    "error": outcome.error,
                    "latency_ms": None if outcome.latency_ms is None else round(outcome.latency_ms, 1),
                },
            )
        if live.maintenance_until is None:
            for message in live.alerts.observe(
                name, live.spec.config, status=outcome.status, at=outcome.at, error=outcome.error
            ):
                self._deliver(message)
        if len(self._pending) >= self.flush_at:
            self._flush_now.set()

    def _deliver(self, message: dict[str, Any]) -> None:
        """Hand an alert to the notifications domain, off the check's path (its sends never hold a check)."""
        deliverer = self.ctx.extras.get(DELIVERER)
        if deliverer is None:
            return

        async def submit() -> None:
            try:
                await deliverer.submit(message)
            except Exception:  # a failed hand-over is logged; the next check goes on
                log.exception("health_alert_submit_failed", service=message.get("service"))

        task = asyncio.get_running_loop().create_task(submit(), name=f"health-alert:{message.get('service')}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_loop(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._flush_now.wait(), self.flush_every_s)
            except TimeoutError:
                pass
            self._flush_now.clear()
            await self.flush()

    async def flush(self) -> int:
        """Write buffered results and changed states in one transaction; keep them on failure."""
        async with self._flush_lock:
            if not self._pending and not self._dirty:
                return 0
            rows, self._pending = self._pending, []
            names, self._dirty = self._dirty, set()
            states = [self._state_row(name) for name in sorted(names) if name in self.services]
            try:
                async with self.ctx.db.sessions() as session:
                    await store.write_batch(session, rows, [s for s in states if s is not None])
            except BaseException as exc:  # a failed or cancelled write keeps its rows for the next flush
                self._pending[0:0] = rows
                self._dirty |= names
                if not isinstance(exc, Exception):
                    raise
                self.stats.flush_failures += 1
                log.exception("health_flush_failed", results=len(rows))
                return 0
            self.stats.flushes += 1
            self.ctx.mark_changed("health")
            return len(rows)

    def _state_row(self, name: str) -> store.StateRow | None:
        live = self.services[name]
        if live.last_checked is None or live.last_change is None:
            return None
        return store.StateRow(
            name, live.status, live.last_checked, live.last_change, live.latency_ms, live.http_status, live.error
        )

    def drift_summary(self) -> dict[str, float | None]:
        samples = sorted(self.stats.drifts_ms)
        if not samples:
            return {"max_ms": None, "p99_ms": None, "p50_ms": None}
        return {
            "max_ms": samples[-1],
            "p99_ms": samples[min(len(samples) - 1, int(0.99 * len(samples)))],
            "p50_ms": samples[len(samples) // 2],
        }


SCHEDULER = Key[HealthScheduler]("health")
