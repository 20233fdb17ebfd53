"""SSE responses over hub subscriptions: the dashboard stream and `/api/events`.

These are the fan-out streams (a thousand open dashboards is the benchmark), so they are kept to
what each connection needs: events arrive already encoded (`Event.sse()`, once for every
viewer), the stream is one task plus one that waits for the client to go away, and the heartbeat
and the send timeout are timers, not tasks. sse-starlette, which the chat stream uses, spends
about twice the memory per connection (52 KB against 24, measured with tracemalloc), which matters here and not there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from jarvis.core.hub import Subscription

PING_S = 15.0
SEND_TIMEOUT_S = 10.0  # a client that takes longer to accept a chunk is cut off
PING = b": ping\n\n"
HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


def last_event_id(raw: str | None) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw.strip())


class SubscriptionStream(Response):
    """Stream pre-encoded events until the client leaves, the hub evicts it as too slow
    (its queue is bounded), or a send stalls past SEND_TIMEOUT_S."""

    media_type = "text/event-stream"

    def __init__(
        self,
        subscription: Subscription,
        initial: Iterable[bytes] = (),
        ping_s: float = PING_S,
        send_timeout_s: float = SEND_TIMEOUT_S,
    ) -> None:
        # As Starlette's StreamingResponse does: no body, so no content-length header.
        self.status_code = 200
        self.background = None
        self.init_headers(HEADERS)
        self.subscription = subscription
        self.initial = list(initial)
        self.ping_s = ping_s
        self.send_timeout_s = send_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") == "HEAD":  # headers only: a stream would never end
            self.subscription.close()
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        watcher = asyncio.create_task(self._end_on_disconnect(receive))
        try:
            await self._send(send, {"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            for chunk in self.initial:
                await self._body(send, chunk)
            while True:
                try:
                    async with asyncio.timeout(self.ping_s):
                        event = await self.subscription.get()
                except TimeoutError:
                    await self._body(send, PING)
                    continue
                if event is None:  # closed: the client left, or it was evicted
                    break
                await self._body(send, event.sse())
            if not watcher.done():  # evicted: end the response properly
                await self._send(send, {"type": "http.response.body", "body": b"", "more_body": False})
        except TimeoutError:
            pass  # a stalled client: returning lets the server close the connection
        finally:
            watcher.cancel()
            self.subscription.close()

    async def _end_on_disconnect(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.subscription.close()

    async def _body(self, send: Send, chunk: bytes) -> None:
        await self._send(send, {"type": "http.response.body", "body": chunk, "more_body": True})

    async def _send(self, send: Send, message: dict[str, object]) -> None:
        async with asyncio.timeout(self.send_timeout_s):
            await send(message)
