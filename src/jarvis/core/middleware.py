"""Cheap pure-ASGI middleware: the body size cap."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jarvis.core.errors import reject


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413, whether or not they declare their length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        message = f"The request body is larger than the {limit // 1024} KiB limit."
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await reject(scope, send, 413, message, "too_large")
                return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            incoming = await receive()
            if incoming["type"] == "http.request":
                received += len(incoming.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return incoming

        async def tracking_send(outgoing: Message) -> None:
            nonlocal started
            if outgoing["type"] == "http.response.start":
                started = True
            await send(outgoing)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except _TooLarge:
            if not started:
                await reject(scope, send, 413, message, "too_large")


class _TooLarge(Exception):
    pass
