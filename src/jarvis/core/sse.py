"""SSE responses over hub subscriptions (sse-starlette does the protocol and the pings)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from sse_starlette.sse import EventSourceResponse

from jarvis.core.hub import Subscription

PING_S = 15
SEND_TIMEOUT_S = 10


def last_event_id(raw: str | None) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw.strip())


def subscription_response(subscription: Subscription, initial: Iterable[bytes] = ()) -> EventSourceResponse:
    """Stream pre-encoded events; an evicted (too slow) subscriber's stream simply ends."""

    async def body() -> AsyncIterator[bytes]:
        try:
            for chunk in initial:
                yield chunk
            async for event in subscription:
                yield event.sse()
        finally:
            subscription.close()

    return EventSourceResponse(
        body(),
        ping=PING_S,
        send_timeout=SEND_TIMEOUT_S,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
