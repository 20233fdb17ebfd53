"""The one SSE response, driven through its ASGI interface: headers, pings, disconnects, slow clients."""

from __future__ import annotations

import asyncio
from typing import Any

from jarvis.core.hub import InMemoryHub
from jarvis.core.sse import PING, EventStream, HubSource

SCOPE: dict[str, Any] = {"type": "http", "method": "GET", "path": "/api/events", "headers": []}


class Client:
    """The server side of one connection: what the app sent, and a disconnect to trigger."""

    def __init__(self, stall: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.left = asyncio.Event()
        self.stall = stall

    async def receive(self) -> dict[str, Any]:
        await self.left.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if self.stall and message.get("more_body"):
            await asyncio.Event().wait()  # a client that stopped reading: the write never drains
        self.sent.append(message)

    def bodies(self) -> list[bytes]:
        return [m["body"] for m in self.sent if m["type"] == "http.response.body"]


async def wait_for(condition: Any) -> None:
    async with asyncio.timeout(2):
        while not condition():
            await asyncio.sleep(0.005)


async def test_streams_initial_chunks_then_events_and_pings() -> None:
    hub = InMemoryHub()
    client = Client()
    stream = EventStream(HubSource(hub.subscribe()), [b"initial\n\n"], ping_s=0.05)
    task = asyncio.create_task(stream(SCOPE, client.receive, client.send))
    await wait_for(lambda: len(client.bodies()) >= 1)
    event = hub.publish("instance.updated", {"id": "a"})
    await wait_for(lambda: event.sse() in client.bodies())
    await wait_for(lambda: PING in client.bodies())  # nothing else to say: a heartbeat comment
    start = client.sent[0]
    assert start["status"] == 200
    headers = dict(start["headers"])
    # Exactly as the seed sent them: clients compare these strings.
    assert headers[b"content-type"] == b"text/event-stream"
    assert headers[b"cache-control"] == b"no-cache"
    assert headers[b"connection"] == b"keep-alive"
    assert not any(name == b"content-length" for name, _ in start["headers"])
    assert client.bodies()[0] == b"initial\n\n"
    client.left.set()
    await asyncio.wait_for(task, 1)


async def test_a_client_that_leaves_is_unsubscribed() -> None:
    hub = InMemoryHub()
    client = Client()
    task = asyncio.create_task(EventStream(HubSource(hub.subscribe()))(SCOPE, client.receive, client.send))
    await wait_for(lambda: hub.subscriber_count == 1 and client.sent)
    client.left.set()
    await asyncio.wait_for(task, 1)
    assert hub.subscriber_count == 0


async def test_an_evicted_subscriber_gets_a_proper_end_of_response() -> None:
    hub = InMemoryHub()
    client = Client()
    subscription = hub.subscribe(maxsize=2)
    for n in range(3):  # the queue holds 2: the third evicts it before the stream reads any
        hub.publish("instance.updated", {"n": n})
    await asyncio.wait_for(EventStream(HubSource(subscription))(SCOPE, client.receive, client.send), 1)
    assert client.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    assert hub.subscriber_count == 0


async def test_a_stalled_client_is_cut_off_after_the_send_timeout() -> None:
    hub = InMemoryHub()
    client = Client(stall=True)
    stream = EventStream(HubSource(hub.subscribe()), [b"initial\n\n"], send_timeout_s=0.05)
    await asyncio.wait_for(stream(SCOPE, client.receive, client.send), 1)  # returns: the server closes it
    assert hub.subscriber_count == 0


async def test_head_gets_the_headers_and_an_end_not_a_stream() -> None:
    hub = InMemoryHub()
    client = Client()
    stream = EventStream(HubSource(hub.subscribe()), [b"initial\n\n"])
    await asyncio.wait_for(stream({**SCOPE, "method": "HEAD"}, client.receive, client.send), 1)
    assert client.sent[0]["status"] == 200
    assert client.bodies() == [b""]
    assert hub.subscriber_count == 0


async def test_two_subscriptions_share_one_wait_and_either_eviction_ends_the_stream() -> None:
    first, second = InMemoryHub(), InMemoryHub()
    client = Client()
    a, b = first.subscribe(), second.subscribe(maxsize=2)
    stream = EventStream(HubSource(a, b))
    task = asyncio.create_task(stream(SCOPE, client.receive, client.send))
    one = first.publish("x.one", {})
    two = second.publish("y.two", {})
    await wait_for(lambda: one.sse() in client.bodies() and two.sse() in client.bodies())
    b.close()  # the second hub lets go of it: the stream ends, and the first lets go too
    await asyncio.wait_for(task, 1)
    assert client.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    assert first.subscriber_count == 0 and second.subscriber_count == 0
