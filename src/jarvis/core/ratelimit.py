"""Per-client rate limit on the API (the seed's RATE_LIMIT_* settings), using `limits`."""

from __future__ import annotations

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from jarvis.core.errors import reject


class RateLimitMiddleware:
    """Counts requests to /api per client address; streams and /health are not counted."""

    EXEMPT = ("/api/dashboard/stream", "/api/events")

    def __init__(self, app: ASGIApp, max_requests: int, window_minutes: float) -> None:
        self.app = app
        self.item = RateLimitItemPerMinute(max_requests, max(1, round(window_minutes)))
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.window_minutes = window_minutes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api/") and not path.startswith(self.EXEMPT):
            client = scope.get("client") or ("unknown", 0)
            if not await self.limiter.hit(self.item, str(client[0])):
                await reject(
                    scope,
                    send,
                    429,
                    f"Too many requests: the limit is {self.item.amount} per {self.window_minutes:g} minutes; "
                    "wait and retry.",
                    "rate_limited",
                )
                return
        await self.app(scope, receive, send)
