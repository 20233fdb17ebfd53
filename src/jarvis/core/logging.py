"""structlog set-up and the request-id middleware (pure ASGI: cheap on hot reads)."""

from __future__ import annotations

import itertools
import logging
import os
import sys
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def console_renderer() -> Any:
    """Readable lines for a terminal. Tracebacks are plain: the default (rich, with every frame's local
    variables) writes thousands of lines per error, takes seconds, and would print settings and tokens."""
    return structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)


def configure_logging(level: str = "info", *, json: bool | None = None) -> None:
    if json is None:
        json = not sys.stderr.isatty()
    renderer: Any = structlog.processors.JSONRenderer() if json else console_renderer()
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level.upper(), force=True)
    for noisy in ("uvicorn.access", "httpx", "httpcore", "watchfiles"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )


# Ids unique to this process start (a random prefix) and cheap per request (a counter): they
# correlate log lines and error bodies, they are not secrets.
_ID_PREFIX = os.urandom(6).hex()
_ID_COUNTER = itertools.count(1)


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):010x}"


class RequestIdMiddleware:
    """Give every request an id (or keep a sane incoming one) and echo it in `x-request-id`.

    It also adds the fixed response headers (`extra_headers`, e.g. the security headers): one
    wrapper per request instead of two keeps the hot reads cheap.
    """

    def __init__(self, app: ASGIApp, extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.app = app
        self.extra_headers = extra_headers or []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        rid = incoming if 0 < len(incoming) <= 64 and incoming.replace("-", "").isalnum() else new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        structlog.contextvars.bind_contextvars(request_id=rid)  # every log line of this request carries it
        added = [(b"x-request-id", rid.encode()), *self.extra_headers]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, send_with_id)
