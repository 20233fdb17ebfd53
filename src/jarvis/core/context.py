"""Everything one running app owns, handed to routes (via `app.state.ctx`) and jobs."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from jarvis.core.cache import TTLCache
from jarvis.core.db import Database
from jarvis.core.hub import InMemoryHub
from jarvis.core.runtime import Runtime
from jarvis.settings import Settings

# Dashboard sections and the cache key (and TTL setting) each is served under.
SECTION_TTL = {
    "instances": "instance_activity",
    "waves": "waves",
    "health": "system_health",
    "business": "business_metrics",
    "financial": "financial",
}


@dataclass
class AppContext:
    settings: Settings
    db: Database
    cache: TTLCache
    hub: InMemoryHub
    http: httpx.AsyncClient
    runtime: Runtime = field(default_factory=Runtime)
    started_at: float = field(default_factory=time.monotonic)
    # Domain-owned singletons (tracker state, schedulers, engines), keyed by domain name.
    extras: dict[str, Any] = field(default_factory=dict)
    dirty: asyncio.Event = field(default_factory=asyncio.Event)
    # Sections written since the snapshot publisher last looked (it takes and clears them).
    marked: set[str] = field(default_factory=set)

    def ttl(self, section: str) -> float:
        return float(getattr(self.settings.cache.ttl, SECTION_TTL[section]))

    def mark_changed(self, *sections: str) -> None:
        """A write happened: the next read of these sections recomputes, and viewers hear of it."""
        keys = [f"dashboard:{section}" for section in sections]
        self.cache.invalidate(*keys, "dashboard:overview")
        self.marked.update(sections)
        self.dirty.set()
