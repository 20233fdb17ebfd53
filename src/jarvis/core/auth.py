"""Who is asking, and what each route lets them do.

Every route declares its scope once, with `dependencies=[require("read")]` (or on its router); the
route table (`core/gateway.py`) reads those declarations to build the fast path and the access check,
so a route without a scope cannot be served. Scopes:

- `public`: anyone (the explicit public list: `/health`, the login page, static assets, …);
- `read`: see the dashboard and the API's reads;
- `write`: a person's changes through the UI or API (feedback, archive, projects, blockers);
- `ingest`: agents and exporters reporting (hooks, heartbeats, metrics, OTLP); reads nothing;
- `chat`: talk to the copilot (stores conversations);
- `admin`: change the configuration, users and tokens.

Roles map to scopes (`ROLE_SCOPES`); an API token carries the scopes it was created with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

from fastapi import Depends, Request
from starlette.types import Scope as AsgiScope

from jarvis.core.errors import AppError, Forbidden
from jarvis.core.extras import Key

Scope = Literal["public", "read", "write", "ingest", "chat", "admin"]
Role = Literal["admin", "member", "viewer"]
TOKEN_SCOPES: tuple[Scope, ...] = ("read", "write", "ingest", "chat", "admin")
ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    "admin": frozenset(TOKEN_SCOPES),
    "member": frozenset({"read", "write", "ingest", "chat"}),
    "viewer": frozenset({"read"}),
}
LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}
# Content types a JSON route accepts for a body; a route may declare others (OTLP: protobuf).
JSON_TYPES: tuple[str, ...] = ("application/json",)
ANY_TYPE: tuple[str, ...] = ("*",)


class Unauthenticated(AppError):
    status = 401
    code = "unauthenticated"


def is_loopback(host: str | None) -> bool:
    return host is None or host in LOOPBACK or host.startswith("127.")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request, as the gateway resolved it."""

    kind: Literal["user", "token", "local", "proxy", "anonymous"]
    name: str
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    role: Role | None = None
    user_id: int | None = None
    token_id: int | None = None
    session_id: str | None = None  # the hash of the session cookie, when the caller used one

    @property
    def ambient(self) -> bool:
        """Credentials a browser sends by itself (a cookie, or single-user mode's "you are local"):
        unsafe requests made with them must prove they come from our own pages."""
        return self.kind in ("local", "proxy") or self.session_id is not None

    def allows(self, scope: Scope) -> bool:
        return scope == "public" or scope in self.scopes

    def public(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "role": self.role, "scopes": sorted(self.scopes)}


ANONYMOUS = Principal("anonymous", "anonymous")


class PrincipalResolver(Protocol):
    """Installed by the accounts domain: who a request's credentials name (cookie, bearer token)."""

    async def resolve(self, scope: AsgiScope) -> Principal: ...

    async def record(
        self, principal: Principal, action: str, target: str, ip: str | None, detail: dict[str, Any]
    ) -> None:
        """Write an audit entry (the gateway records every admin change made through the API)."""
        ...

    def forget(self, key: str | None = None) -> None:
        """Drop cached credentials (a session or token hash, or all): logged out, revoked, changed."""
        ...


RESOLVER = Key[PrincipalResolver]("auth")


@dataclass(frozen=True, slots=True)
class ScopeMark:
    """The declaration `require(...)` attaches to a route: read by the route table, checked again here
    (defence in depth, at no cost: the gateway has already resolved the principal)."""

    scope: Scope
    fast: bool = False
    accepts: tuple[str, ...] = JSON_TYPES

    async def __call__(self, request: Request) -> None:
        principal: Principal | None = request.scope.get("jarvis.principal")
        if principal is None:
            raise Forbidden("This route was reached without an access decision; it is refused.")
        if not principal.allows(self.scope):
            raise denial(principal, self.scope)


def principal_of(request: Request) -> Principal:
    principal = request.scope.get("jarvis.principal", ANONYMOUS)
    assert isinstance(principal, Principal)
    return principal


async def _principal(request: Request) -> Principal:
    """`principal_of` as a dependency: async, so FastAPI does not send it to a worker thread."""
    return principal_of(request)


PrincipalDep = Annotated[Principal, Depends(_principal)]


def require(scope: Scope, *, fast: bool = False, accepts: Iterable[str] = JSON_TYPES) -> Any:
    """Declare a route's scope. `fast`: answered by the gateway ahead of FastAPI's router (a hot read
    whose endpoint takes only the request). `accepts`: body content types (JSON unless said)."""
    return Depends(ScopeMark(scope, fast, tuple(accepts)))


def denial(principal: Principal, scope: Scope) -> AppError:
    """The 401 or 403 for a caller who may not use a route of `scope`."""
    if principal.name == "invalid-token":
        return Unauthenticated(
            "This API token is not valid: it was revoked or mistyped. Create one with `jarvis token create` "
            "or on the Account page."
        )
    if principal.kind == "anonymous":
        return Unauthenticated(
            "Log in first (POST /api/auth/login or the /login page), or send an API token as "
            "`Authorization: Bearer …`.",
        )
    if principal.kind == "token":
        return Forbidden(f"This API token has no `{scope}` scope (it has: {', '.join(sorted(principal.scopes))}).")
    return Forbidden(f"Your role ({principal.role or principal.kind}) does not allow this (`{scope}` access).")
