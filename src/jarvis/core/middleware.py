"""Cheap pure-ASGI middleware: the body size cap, and JSON bodies cleared of NUL characters."""

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


NUL_ESCAPE = b"\\u0000"


def without_nul(body: bytes) -> bytes:
    """The JSON text with every `\\u0000` escape removed (an escaped backslash followed by `u0000` is
    text, not a NUL, and stays). A raw NUL byte is not valid JSON: the route's parser refuses it."""
    parts: list[bytes] = []
    start = 0
    at = body.find(NUL_ESCAPE)
    while at != -1:
        backslashes = len(body[:at]) - len(body[:at].rstrip(b"\\"))
        if backslashes % 2 == 0:  # this backslash starts an escape
            parts.append(body[start:at])
            start = at + len(NUL_ESCAPE)
        at = body.find(NUL_ESCAPE, at + 1)
    parts.append(body[start:])
    return b"".join(parts)


class NulStripMiddleware:
    """PostgreSQL cannot store U+0000 in text or JSON, and no text of ours means one: every JSON body has
    its NUL characters removed before a route reads it, so SQLite and PostgreSQL store the same text and
    no field can make a write fail. Bodies without the escape pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: let the app see it
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if NUL_ESCAPE in body:
            body = without_nul(body)
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _is_json(scope: Scope) -> bool:
    """A JSON body as sent, not compressed (a gzip body's bytes are not text: they are left alone)."""
    json = False
    for name, value in scope["headers"]:
        if name == b"content-type":
            json = b"json" in value.lower()
        elif name == b"content-encoding" and value.strip().lower() not in (b"", b"identity"):
            return False
    return json


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
