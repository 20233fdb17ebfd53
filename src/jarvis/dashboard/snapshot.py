"""The dashboard snapshot: built once per change, served as bytes, streamed as deltas.

Reads go through the TTL cache (one computation per TTL whatever the number of
viewers); the publisher rebuilds when a write marks a section dirty or a TTL lapses,
and sends viewers only the sections whose bytes changed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.extras import Key
from jarvis.core.hub import Event, InMemoryHub, Subscription
from jarvis.core.jsonresp import dumps, ok_bytes
from jarvis.core.sections import SECTIONS, Section
from jarvis.dashboard import seed
from jarvis.dashboard.sections import BUILDERS

SNAPSHOT_BUILDS = Counter("jarvis_snapshot_builds", "Dashboard snapshots built and published (one per change)")
SECTION_BUILDS = Counter("jarvis_section_builds", "Dashboard section computations", ["section"])

# A section goes out at once when it changes, then at most every 100 ms: a burst of writes coalesces into
# one update per window, and a change after a quiet spell reaches the viewers without waiting.
MIN_PUBLISH_GAP_S = 0.1
TICK_S = 2.0


@dataclass(slots=True)
class Built:
    """A section's data and its serialised envelope, made once per computation."""

    data: dict[str, Any]
    body: bytes
    raw: bytes  # the data without its build time: equal bytes mean nothing changed


CLOCK_FIELDS = frozenset({"timestamp", "waiting_s"})


def without_clock(value: Any) -> Any:
    """`value` without the fields that change with the clock alone (`CLOCK_FIELDS`), at any depth."""
    if isinstance(value, dict):
        return {key: without_clock(item) for key, item in value.items() if key not in CLOCK_FIELDS}
    if isinstance(value, list):
        return [without_clock(item) for item in value]
    return value


class SnapshotService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.stream = InMemoryHub(history=1)
        self.version = 0
        self.published: dict[str, bytes] = {}
        self.current: dict[str, Any] = {}
        self.sent_at: dict[str, float] = {}  # monotonic time each section last went out
        self.held: dict[str, float] = {}  # changed sections waiting for their second to end
        self._full: tuple[int, bytes] | None = None
        self._live: tuple[int, bytes] | None = None
        # Each seed-shaped section, keyed by the computations it was made from (same ones: same bytes).
        self._seed: dict[Section, tuple[tuple[Built, ...], bytes]] = {}
        self.overview_ttl = min(ctx.ttl(name) for name in SECTIONS)

    async def section(self, name: Section) -> Built:
        async def compute() -> Built:
            SECTION_BUILDS.labels(section=name).inc()
            data = await BUILDERS[name](self.ctx)
            body = ok_bytes(data)
            # What counts as a change: everything but what only the clock moves (the build time, how long an
            # agent has waited): a wait growing by a second is not news for every viewer.
            raw = dumps(without_clock(data))
            return Built(data, body, raw)

        lookup = await self.ctx.cache.get_or_compute(
            f"dashboard:{name}", self.ctx.ttl(name), compute, refresh_in_background=True
        )
        built: Built = lookup.value
        return built

    async def sections(self) -> dict[Section, Built]:
        built = await asyncio.gather(*(self.section(name) for name in BUILDERS))
        return dict(zip(BUILDERS, built, strict=True))

    async def seed_section(self, name: Section) -> bytes:
        """The envelope of one section in the seed's shape (`dashboard/seed.py`), made once per computation."""
        inputs = seed.INPUTS[name]
        built = tuple(await asyncio.gather(*(self.section(part) for part in inputs)))
        memo = self._seed.get(name)
        if memo is not None and all(a is b for a, b in zip(memo[0], built, strict=True)):
            return memo[1]
        body = ok_bytes(self._seed_data(name, dict(zip(inputs, built, strict=True))))
        self._seed[name] = (built, body)
        return body

    @staticmethod
    def _seed_data(name: Section, parts: dict[Section, Built]) -> Any:
        return seed.section(name, {part: built.data for part, built in parts.items()})

    async def _overview(self) -> tuple[bytes, bytes]:
        """The overview in the seed's shape: its envelope, and the same data as the seed's unnamed SSE event."""

        async def compute() -> tuple[bytes, bytes]:
            parts = await self.sections()
            overview: dict[str, Any] = {name: self._seed_data(name, parts) for name in SECTIONS}
            overview["timestamp"] = clock.iso(clock.now())
            overview["version"] = self.version
            data = dumps(overview)
            return b'{"success":true,"data":' + data + b"}", b"data: " + data + b"\n\n"

        lookup = await self.ctx.cache.get_or_compute(
            "dashboard:overview", self.overview_ttl, compute, refresh_in_background=True
        )
        value: tuple[bytes, bytes] = lookup.value
        return value

    async def overview_bytes(self) -> bytes:
        return (await self._overview())[0]

    async def seed_event(self) -> bytes:
        """`data: {instances, business, health, financial, waves, timestamp}` — what the seed's stream sent."""
        return (await self._overview())[1]

    async def refresh(self, now: float | None = None) -> Event | None:
        """Rebuild what is due and publish the sections whose bytes changed, if any.

        With `now` (the publisher's monotonic clock), a section sent less than `MIN_PUBLISH_GAP_S` ago is
        held back until its window is over: a burst coalesces into one update per window, and a change in
        one section (a health check) never delays another (an agent's hook event).
        """
        parts = await self.sections()
        changed = [name for name, part in parts.items() if self.published.get(name) != part.raw]
        if now is not None:
            self.held = {n: self.sent_at[n] + MIN_PUBLISH_GAP_S for n in changed if n in self.sent_at}
            self.held = {n: due for n, due in self.held.items() if due > now}
            changed = [n for n in changed if n not in self.held]
            self.sent_at.update(dict.fromkeys(changed, now))
        if not changed:
            return None
        for name in changed:
            self.published[name] = parts[name].raw
            self.current[name] = parts[name].data
        self.version += 1
        SNAPSHOT_BUILDS.inc()
        return self.stream.publish(
            "dashboard.update",
            {"version": self.version, "changed": changed, "sections": {n: parts[n].data for n in changed}},
        )

    def full_event(self) -> bytes:
        """The whole snapshot as `/api/stream` sends it on connect: `event: dashboard.snapshot` with
        `{id, type, at, data}` like every hub event but no `id:` line (see `live_bytes`); encoded once
        per version, however many viewers connect."""
        if self._full is None or self._full[0] != self.version:
            data = {"version": self.version, "changed": list(self.current), "sections": self.current}
            payload = dumps(Event(self.version, "dashboard.snapshot", data, clock.now()).as_dict())
            self._full = (self.version, b"event: dashboard.snapshot\ndata: %s\n\n" % payload)
        return self._full[1]

    def live_bytes(self, event: Event) -> bytes:
        """A dashboard event as `/api/stream` sends it: named, without an `id:` (that stream's ids are
        the hub's, so `Last-Event-ID` replays hub events; the dashboard sends a snapshot on connect)."""
        if self._live is None or self._live[0] != event.id:
            payload = dumps(event.as_dict())
            self._live = (event.id, b"event: %s\ndata: %s\n\n" % (event.type.encode(), payload))
        return self._live[1]

    def subscribe(self, maxsize: int = 16) -> Subscription:
        return self.stream.subscribe(maxsize=maxsize)

    async def run_publisher(self) -> None:
        """Wake on a write, when a held-back section's window is over, or every tick (TTL-driven
        changes). A write to a section that is held back costs no rebuild until its turn."""
        while True:
            due = min(self.held.values(), default=time.monotonic() + TICK_S)
            try:
                await asyncio.wait_for(self.ctx.dirty.wait(), timeout=max(0.0, due - time.monotonic()))
            except TimeoutError:
                pass
            self.ctx.dirty.clear()
            now = time.monotonic()
            marked, self.ctx.marked = self.ctx.marked, set()
            if marked and all(self.held.get(name, 0.0) > now for name in marked):
                continue  # only held sections were written: their turn comes at `due`
            await self.refresh(now)


def snapshot_of(ctx: AppContext) -> SnapshotService:
    return ctx.extras[SNAPSHOT]


SNAPSHOT = Key[SnapshotService]("dashboard")
