"""TTL cache with single-flight and stale-on-error, and honest hit/miss counts.

Dashboard reads go through it so that N viewers cost one computation per TTL, and a
failing refresh keeps serving the last good value (marked stale) instead of an error.

The hot dashboard reads also ask for `refresh_in_background`: an entry that merely aged past its
TTL is served once more while one task rebuilds it, so no reader waits for a rebuild that time,
not a write, asked for. A write invalidates (drops) the entry, so a read after a write always
waits for the new value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from jarvis.core.clock import monotonic


@dataclass(slots=True)
class Entry:
    value: Any
    expires_at: float
    stored_at: float
    stale: bool = False
    error: str | None = None


@dataclass(slots=True)
class Stats:
    hits: int = 0
    misses: int = 0
    stale_serves: int = 0
    errors: int = 0
    computations: int = 0


@dataclass(slots=True)
class Lookup:
    value: Any
    stale: bool
    age_s: float
    error: str | None = None


@dataclass
class TTLCache:
    max_keys: int = 10_000
    clock: Callable[[], float] = monotonic
    entries: dict[str, Entry] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    _inflight: dict[str, asyncio.Future[Any]] = field(default_factory=dict)
    _generation: dict[str, int] = field(default_factory=dict)
    _refreshing: set[asyncio.Task[Any]] = field(default_factory=set)

    def peek(self, key: str) -> Any | None:
        entry = self.entries.get(key)
        return None if entry is None else entry.value

    async def get_or_compute(
        self, key: str, ttl: float, compute: Callable[[], Awaitable[Any]], *, refresh_in_background: bool = False
    ) -> Lookup:
        entry = self.entries.get(key)
        now = self.clock()
        if entry is not None and now < entry.expires_at:
            self.stats.hits += 1
            if entry.stale:
                self.stats.stale_serves += 1
            return Lookup(entry.value, entry.stale, now - entry.stored_at, entry.error)
        if entry is not None and refresh_in_background and not entry.stale:
            self.stats.hits += 1
            if key not in self._inflight:
                task = asyncio.create_task(self._compute(key, ttl, compute, entry))
                self._refreshing.add(task)
                task.add_done_callback(self._refreshing.discard)
            return Lookup(entry.value, False, now - entry.stored_at)
        self.stats.misses += 1
        return await self._compute(key, ttl, compute, entry)

    async def _compute(
        self, key: str, ttl: float, compute: Callable[[], Awaitable[Any]], entry: Entry | None
    ) -> Lookup:
        inflight = self._inflight.get(key)
        if inflight is None:
            inflight = asyncio.get_running_loop().create_future()
            self._inflight[key] = inflight
            generation = self._generation.get(key, 0)
            try:
                value = await compute()
            except Exception as exc:  # stale-on-error: any failure of the producer
                self.stats.errors += 1
                message = f"{type(exc).__name__}: {exc}"[:300]
                self._forget(key, inflight)
                if entry is None:
                    inflight.set_exception(exc)
                    inflight.exception()  # mark retrieved; waiters re-raise it below
                    raise
                entry.stale = True
                entry.error = message
                entry.expires_at = self.clock() + min(ttl, 1.0)
                self.stats.stale_serves += 1
                inflight.set_result(entry.value)
                return Lookup(entry.value, True, self.clock() - entry.stored_at, message)
            self.stats.computations += 1
            self._forget(key, inflight)
            if self._generation.get(key, 0) == generation:
                self._store(key, value, ttl)
            inflight.set_result(value)
            return Lookup(value, False, 0.0)
        value = await asyncio.shield(inflight)
        current = self.entries.get(key)
        stale = bool(current and current.stale)
        return Lookup(value, stale, 0.0 if current is None else self.clock() - current.stored_at)

    def _forget(self, key: str, inflight: asyncio.Future[Any]) -> None:
        if self._inflight.get(key) is inflight:  # an invalidation may have started a newer one
            del self._inflight[key]

    def _store(self, key: str, value: Any, ttl: float) -> None:
        if key not in self.entries and len(self.entries) >= self.max_keys:
            oldest = min(self.entries, key=lambda k: self.entries[k].stored_at)
            del self.entries[oldest]
        now = self.clock()
        self.entries[key] = Entry(value, now + ttl, now)

    def set(self, key: str, value: Any, ttl: float) -> None:
        self._store(key, value, ttl)

    def invalidate(self, *keys: str) -> int:
        """Drop keys. A computation in flight started before this is neither stored nor joined:
        the next reader computes afresh, so a read after a write sees the write."""
        removed = 0
        for key in keys:
            self._generation[key] = self._generation.get(key, 0) + 1
            self._inflight.pop(key, None)
            if self.entries.pop(key, None) is not None:
                removed += 1
        return removed

    def clear(self, key: str | None = None) -> int:
        if key is not None:
            return self.invalidate(key)
        count = len(self.entries)
        for existing in list(self.entries):
            self.invalidate(existing)
        return count

    def snapshot(self) -> dict[str, Any]:
        lookups = self.stats.hits + self.stats.misses
        return {
            "hits": self.stats.hits,
            "misses": self.stats.misses,
            "hit_ratio": round(self.stats.hits / lookups, 4) if lookups else None,
            "stale_serves": self.stats.stale_serves,
            "errors": self.stats.errors,
            "computations": self.stats.computations,
            "size": len(self.entries),
            "keys": sorted(self.entries),
        }
