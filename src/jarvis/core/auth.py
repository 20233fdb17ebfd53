"""`require(scope)`: every route names the scope it needs from day one.

Until login and API tokens exist, requests from loopback are allowed; requests from
other hosts are refused unless `server.trust_remote` says a proxy in front authenticates.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Literal

from fastapi import Depends, Request

from jarvis.core.errors import Forbidden

Scope = Literal["read", "ingest", "chat", "admin"]
LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient", "testserver"}


def is_allowed(request: Request) -> bool:
    client = request.client.host if request.client else None
    if client is None or client in LOOPBACK or client.startswith("127."):
        return True
    return bool(request.app.state.ctx.settings.server.trust_remote)


def require(scope: Scope) -> Any:
    async def check(request: Request) -> None:
        if not is_allowed(request):
            raise Forbidden(
                f"This server only answers local requests ({scope} access); "
                "set server.trust_remote = true behind an authenticating proxy."
            )

    dependency: Callable[[Request], Coroutine[Any, Any, None]] = check
    return Depends(dependency)
