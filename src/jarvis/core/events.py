"""Typed hub events: each domain declares its event names with their payload type, in its `events.py`.

    INSTANCE_UPDATED = EventType[InstancePublic]("instance.updated")
    ctx.hub.emit(INSTANCE_UPDATED, instance)   # mypy checks the payload against the declaration

One name, one shape: subscribers and the SSE clients see `{id, type, at, data}` with `data` of that type.
The payload types are TypedDicts (no conversion cost on the ingest path).
"""

from __future__ import annotations

from typing import Generic, TypeVar

P = TypeVar("P")


class EventType(Generic[P]):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"EventType({self.name!r})"
