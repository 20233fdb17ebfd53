"""The in-memory hub: fan-out, filters, eviction of slow subscribers, replay."""

from __future__ import annotations

import asyncio

from jarvis.core.hub import InMemoryHub


async def test_every_subscriber_gets_matching_events_in_order() -> None:
    hub = InMemoryHub()
    everything = hub.subscribe()
    health_only = hub.subscribe(["health.*"])
    hub.publish("instance.updated", {"id": "a"})
    hub.publish("health.changed", {"service": "api"})
    first = await asyncio.wait_for(everything.get(), 1)
    second = await asyncio.wait_for(everything.get(), 1)
    assert first is not None and second is not None
    assert [first.type, second.type] == ["instance.updated", "health.changed"]
    assert second.id == first.id + 1
    only = await asyncio.wait_for(health_only.get(), 1)
    assert only is not None and only.type == "health.changed"
    assert health_only.queue.empty()


async def test_slow_subscriber_is_evicted_not_buffered() -> None:
    hub = InMemoryHub()
    slow = hub.subscribe(maxsize=3)
    fast = hub.subscribe(maxsize=100)
    for index in range(10):
        hub.publish("x", index)
    assert slow.evicted is True
    assert hub.subscriber_count == 1
    assert hub.stats["evicted"] == 1
    received = [event async for event in _drain(slow)]
    assert len(received) <= 3  # what it had, then the end marker
    assert fast.queue.qsize() == 10


async def _drain(subscription):  # type: ignore[no-untyped-def]
    while not subscription.queue.empty():
        event = subscription.queue.get_nowait()
        if event is None:
            return
        yield event


async def test_since_replays_recent_events_and_sse_is_encoded_once() -> None:
    hub = InMemoryHub(history=5)
    events = [hub.publish("e", {"n": n}) for n in range(8)]
    replay = hub.since(events[4].id)
    assert [e.data["n"] for e in replay] == [5, 6, 7]
    wire = replay[0].sse()
    assert wire.startswith(b"id: %d\nevent: e\ndata: " % replay[0].id)
    assert wire is replay[0].sse()


async def test_close_ends_iteration_and_unregisters() -> None:
    hub = InMemoryHub()
    subscription = hub.subscribe()
    hub.publish("a", 1)
    subscription.close()
    assert hub.subscriber_count == 0
    items = [event.data async for event in subscription]
    assert items == [1]
