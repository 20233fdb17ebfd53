"""The one SSE response: the dashboard streams, `/api/events`, `/api/stream` and the chat answer.

An `EventStream` writes what its `Source` hands it until the source is over, the client leaves or a
send stalls. A source is anything with a cancellation-safe `next()` (a queue read): the stream
times that read out for its heartbeat, so the heartbeat and the send timeout are timers, not
tasks — one task per connection plus one that waits for the client to go away. These are the
fan-out streams (a thousand open dashboards is the benchmark), so events arrive already encoded
(`Event.sse()`, once for every viewer).

The headers are the seed's exactly: `Content-Type: text/event-stream` (no charset parameter),
`Cache-Control: no-cache`, `Connection: keep-alive`; a naive client compares them as strings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Protocol

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from jarvis.core.hub import Event, Subscription

PING_S = 15.0
SEND_TIMEOUT_S = 10.0  # a client that takes longer to accept a chunk is cut off
PING = b": ping\n\n"
MEDIA_TYPE = "text/event-stream"
HEADERS = [
    (b"content-type", MEDIA_TYPE.encode()),
    (b"cache-control", b"no-cache"),
    (b"connection", b"keep-alive"),
    (b"x-accel-buffering", b"no"),  # nginx: do not buffer the stream
]
# For /docs: what an SSE operation answers.
OPENAPI_RESPONSE = {
    200: {
        "description": "A stream of server-sent events (`text/event-stream`)",
        "content": {MEDIA_TYPE: {"schema": {"type": "string", "description": "SSE blocks separated by a blank line"}}},
    }
}


def last_event_id(raw: str | None) -> int | None:
    if raw is None or len(raw) > 20 or not raw.strip().isdigit():  # ids are 64-bit: longer is not one of ours
        return None
    return int(raw.strip())


class Source(Protocol):
    async def next(self) -> bytes | None:
        """The next chunk to write, or None when the stream is over. Must be safe to cancel."""
        ...

    def close(self) -> None:
        """The client left (or the stream ended): let go of what the source holds."""
        ...


class HubSource:
    """Events of one or more hub subscriptions, read from one queue (so one wait serves them all).

    `encode` turns an event into its wire form; the default is the hub's own, encoded once per event.
    Any subscription that is evicted or closed ends the stream."""

    def __init__(self, *subscriptions: Subscription, encode: Callable[[Event], bytes] = Event.sse) -> None:
        first = subscriptions[0]
        for other in subscriptions[1:]:
            other.queue = first.queue
        self.subscriptions = subscriptions
        self.encode = encode

    async def next(self) -> bytes | None:
        event = await self.subscriptions[0].get()
        return None if event is None else self.encode(event)

    def close(self) -> None:
        for subscription in self.subscriptions:
            subscription.close()


class EventStream(Response):
    """Stream a source's chunks until it is over (None), the client leaves, or a send stalls past
    `send_timeout_s`; a comment heartbeat goes out after `ping_s` of silence."""

    media_type = None  # the content type is in HEADERS, exactly as the seed sent it

    def __init__(
        self,
        source: Source,
        initial: Iterable[bytes] = (),
        *,
        ping_s: float = PING_S,
        send_timeout_s: float = SEND_TIMEOUT_S,
    ) -> None:
        # As Starlette's StreamingResponse does: no body, so no content-length header.
        self.status_code = 200
        self.background = None
        self.raw_headers = list(HEADERS)
        self.source = source
        self.initial = list(initial)
        self.ping_s = ping_s
        self.send_timeout_s = send_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") == "HEAD":  # headers only: a stream would never end
            self.source.close()
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        watcher = asyncio.create_task(self._end_on_disconnect(receive))
        try:
            await self._send(send, {"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            for first in self.initial:
                await self._body(send, first)
            while True:
                try:
                    async with asyncio.timeout(self.ping_s):
                        chunk = await self.source.next()
                except TimeoutError:
                    await self._body(send, PING)
                    continue
                if chunk is None:  # over: the source ended, the client left, or it was evicted
                    break
                await self._body(send, chunk)
            if not watcher.done():  # ended from our side: end the response properly
                await self._send(send, {"type": "http.response.body", "body": b"", "more_body": False})
        except TimeoutError:
            pass  # a stalled client: returning lets the server close the connection
        finally:
            watcher.cancel()
            self.source.close()

    async def _end_on_disconnect(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.source.close()

    async def _body(self, send: Send, chunk: bytes) -> None:
        await self._send(send, {"type": "http.response.body", "body": chunk, "more_body": True})

    async def _send(self, send: Send, message: dict[str, object]) -> None:
        async with asyncio.timeout(self.send_timeout_s):
            await send(message)
