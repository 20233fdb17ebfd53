"""Everything one running app owns, handed to routes (via `app.state.ctx`, `CtxDep`) and jobs."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends, Request

from jarvis.core.cache import TTLCache
from jarvis.core.db import Database
from jarvis.core.extras import Extras
from jarvis.core.hub import InMemoryHub
from jarvis.core.runtime import Runtime
from jarvis.core.sections import SECTION_TTL, Section
from jarvis.core.writer import Writer
from jarvis.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    db: Database
    cache: TTLCache
    hub: InMemoryHub
    http: httpx.AsyncClient
    runtime: Runtime = field(default_factory=Runtime)
    writer: Writer = field(init=False)  # group commit for ingest (core/writer.py)
    started_at: float = field(default_factory=time.monotonic)
    # Domain-owned singletons (tracker state, schedulers, engines), each under its domain's typed key.
    extras: Extras = field(default_factory=Extras)
    dirty: asyncio.Event = field(default_factory=asyncio.Event)
    # Sections written since the snapshot publisher last looked (it takes and clears them).
    marked: set[Section] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.writer = Writer(self.db)

    def ttl(self, section: Section) -> float:
        return float(getattr(self.settings.cache.ttl, SECTION_TTL[section]))

    def mark_changed(self, *sections: Section) -> None:
        """A write happened: the next read of these sections recomputes, and viewers hear of it."""
        keys = [f"dashboard:{section}" for section in sections]
        self.cache.invalidate(*keys, "dashboard:overview")
        self.marked.update(sections)
        self.dirty.set()


def context_of(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def _context(request: Request) -> AppContext:
    """`context_of` as a dependency: async, since FastAPI runs a plain `def` dependency in a worker thread
    (a thread hop on every request)."""
    return context_of(request)


CtxDep = Annotated[AppContext, Depends(_context)]
