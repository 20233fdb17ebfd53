"""The event hub: one publisher side, many bounded subscribers.

The interface is small so that a Redis-backed hub can stand in for several replicas.
A subscriber that cannot keep up is evicted (its queue is bounded), never buffered
without limit; a recent-event ring lets SSE clients resume with `Last-Event-ID`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from jarvis.core import clock
from jarvis.core.events import EventType, P
from jarvis.core.jsonresp import dumps


@dataclass(slots=True)
class Event:
    id: int
    type: str
    data: Any
    at: datetime
    _sse: bytes | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "at": self.at, "data": self.data}

    def sse(self) -> bytes:
        """The wire form, encoded once however many clients receive it."""
        if self._sse is None:
            payload = dumps(self.as_dict())
            self._sse = b"id: %d\nevent: %s\ndata: %s\n\n" % (self.id, self.type.encode(), payload)
        return self._sse


class Subscription:
    def __init__(self, hub: InMemoryHub, types: frozenset[str] | None, maxsize: int) -> None:
        self.hub = hub
        self.types = types
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize)
        self.evicted = False

    def wants(self, event_type: str) -> bool:
        if self.types is None:
            return True
        return event_type in self.types or event_type.split(".", 1)[0] + ".*" in self.types

    def offer(self, event: Event) -> None:
        if self.evicted:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.evicted = True
            self.hub.stats["evicted"] += 1
            self.hub.unsubscribe(self)
            self._wake_with_end()

    def _wake_with_end(self) -> None:
        while True:
            try:
                self.queue.put_nowait(None)
                return
            except asyncio.QueueFull:
                self.queue.get_nowait()

    async def get(self) -> Event | None:
        """The next event, or None once evicted or closed."""
        return await self.queue.get()

    def close(self) -> None:
        self.hub.unsubscribe(self)
        self._wake_with_end()

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            event = await self.get()
            if event is None:
                return
            yield event


class EventHub(Protocol):
    def publish(self, event_type: str, data: Any) -> Event: ...

    def subscribe(self, types: Iterable[str] | None = None, maxsize: int = 256) -> Subscription: ...

    def unsubscribe(self, subscription: Subscription) -> None: ...

    def since(self, last_id: int) -> list[Event]: ...


class InMemoryHub:
    def __init__(self, history: int = 1000) -> None:
        self._ids = itertools.count(1)
        self._subscribers: set[Subscription] = set()
        self._recent: deque[Event] = deque(maxlen=history)
        self.stats = {"published": 0, "evicted": 0}

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def emit(self, kind: EventType[P], data: P) -> Event:
        """Publish a typed event (see core/events.py)."""
        return self.publish(kind.name, data)

    def publish(self, event_type: str, data: Any) -> Event:
        event = Event(next(self._ids), event_type, data, clock.now())
        self._recent.append(event)
        self.stats["published"] += 1
        for subscriber in list(self._subscribers):
            if subscriber.wants(event_type):
                subscriber.offer(event)
        return event

    def subscribe(self, types: Iterable[str] | None = None, maxsize: int = 256) -> Subscription:
        subscription = Subscription(self, None if types is None else frozenset(types), maxsize)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    def since(self, last_id: int) -> list[Event]:
        return [event for event in self._recent if event.id > last_id]
