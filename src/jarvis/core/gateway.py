"""The route table and the gateway in front of the app: every request is checked here, once.

The table is built from the app's own routes: each FastAPI route declares its scope with
`require(...)` (see `core/auth.py`), and plain Starlette routes and mounts (static files, the API
docs) get theirs from the explicit list `create_app` passes. A route with no scope stops start-up:
nothing is reachable by accident. The same table drives:

- the access check: the caller (cookie session, bearer token, or single-user mode) must hold the
  route's scope, or the answer is 401/403 (a browser asking for a page is sent to /login);
- the browser defences: a `Host` outside `server.allowed_hosts` is refused (DNS rebinding); an unsafe
  request made with ambient credentials (a cookie, or single-user mode) must come from our own origin
  (`Origin` / `Sec-Fetch-Site`); a body must have a content type the route accepts (JSON unless said);
- the fast path: hot reads and ingest writes (`require(..., fast=True)`: the endpoint takes only the
  request) answered here, ahead of FastAPI's router, whose per-request machinery (route matching,
  dependencies, a worker thread for each plain-def one) cost as much as the answer. FastAPI documents
  them in /docs from the same route.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import structlog
from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from jarvis.core.auth import ANONYMOUS, JSON_TYPES, RESOLVER, Principal, Scope, ScopeMark, denial, is_loopback
from jarvis.core.errors import (
    POOL_BUSY,
    AppError,
    DatabaseBusy,
    HtmlPage,
    app_error_response,
    reject,
    unexpected_response,
)

log = structlog.get_logger("jarvis.gateway")

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class RouteEntry:
    path: str
    methods: frozenset[str] | None  # None: every method (a mount)
    scope: Scope
    fast: bool
    accepts: tuple[str, ...]
    regex: re.Pattern[str]
    endpoint: Endpoint | None = None  # the fast path's handler

    def matches(self, path: str) -> bool:
        return self.regex.match(path) is not None


class RouteTableError(RuntimeError):
    """A route without a declared scope: the app refuses to start rather than serve it open."""


def _mark(route: RouteContext) -> ScopeMark | None:
    dependencies = getattr(route, "dependencies", None) or []
    marks = [dep.dependency for dep in dependencies if isinstance(dep.dependency, ScopeMark)]
    return marks[-1] if marks else None  # the route's own declaration wins over its router's


class RouteTable:
    def __init__(self, entries: list[RouteEntry]) -> None:
        self.entries = entries  # in the router's order: the first full match is the one it dispatches to
        self.dynamic = [entry for entry in entries if entry.methods is None or "{" in entry.path]
        # For each fixed path, the entries that match it, in order (a parameterised route registered
        # earlier can win over it, as in the router): a dict lookup instead of a regex per route.
        fixed = {entry.path for entry in entries if entry not in self.dynamic}
        self.static = {path: [entry for entry in entries if entry.matches(path)] for path in fixed}

    @classmethod
    def from_app(cls, app: FastAPI, plain: dict[str, Scope]) -> RouteTable:
        """Every route of `app` with its scope; `plain` gives those of non-FastAPI routes by path."""
        entries: list[RouteEntry] = []
        for route in iter_route_contexts(app.routes):
            path = route.path or ""
            if isinstance(route.original_route, APIRoute):
                mark = _mark(route)
                methods = frozenset(route.methods or ())
                if mark is None:
                    raise RouteTableError(f"{sorted(methods)} {path} declares no scope: add require(...)")
                endpoint = route.endpoint if mark.fast else None
                regex = compile_path(path)[0]
                entries.append(RouteEntry(path, methods, mark.scope, mark.fast, mark.accepts, regex, endpoint))
            elif isinstance(route.original_route, Mount | Route):
                if path not in plain:
                    raise RouteTableError(f"{path} has no scope in the list of plain routes (create_app)")
                if isinstance(route.original_route, Mount):
                    regex, methods = re.compile(re.escape(path) + "(/.*)?$"), None
                else:
                    regex, methods = compile_path(path)[0], frozenset(route.methods or ())
                entries.append(RouteEntry(path, methods, plain[path], False, JSON_TYPES, regex))
            else:
                kind = type(route.original_route).__name__
                raise RouteTableError(f"unexpected route type {kind} at {path or '?'}")
        return cls(entries)

    def match(self, scope: AsgiScope) -> RouteEntry | None:
        """The entry the router dispatches to, or the one it answers 405 for (the same scope either way)."""
        path, method = scope["path"], scope["method"]
        partial: RouteEntry | None = None
        for entry in self.static.get(path) or self.dynamic:
            if entry.matches(path):
                if entry.methods is None or method in entry.methods:
                    return entry
                partial = partial or entry
        return partial

    def public_paths(self) -> list[str]:
        return sorted({entry.path for entry in self.entries if entry.scope == "public"})


def _header(scope: AsgiScope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def host_name(host_header: str) -> str:
    """`example.com:5001` → `example.com`; `[::1]:5001` → `::1`."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_host_names(configured: Iterable[str], bind_host: str) -> frozenset[str] | None:
    """The host names this server answers to; None when `*` switches the check off."""
    names = {host_name(h) for h in configured}
    if "*" in names:
        return None
    names |= {"localhost", "127.0.0.1", "::1"}
    if bind_host not in ("0.0.0.0", "::", ""):
        names.add(host_name(bind_host))
    return frozenset(names)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def accepts_type(accepts: tuple[str, ...], content_type: str | None) -> bool:
    if "*" in accepts:
        return True
    media = _media_type(content_type)
    if "application/json" in accepts and (media == "application/json" or media.endswith("+json")):
        return True
    return media in accepts


def has_body(scope: AsgiScope) -> bool:
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return _header(scope, b"transfer-encoding") is not None


def same_origin(scope: AsgiScope, origin: str, allowed_origins: frozenset[str]) -> bool:
    if origin in allowed_origins:
        return True
    host = _header(scope, b"host") or ""
    scheme = scope.get("scheme", "http")
    return origin.lower() in (f"{scheme}://{host}".lower(), f"http://{host}".lower(), f"https://{host}".lower())


class Gateway:
    """Pure ASGI: host check, principal, scope, browser defences, then the fast path or the app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        table: Callable[[], RouteTable],
        allowed_hosts: frozenset[str] | None,
        allowed_origins: Iterable[str] = (),
        html_page: HtmlPage | None = None,
    ) -> None:
        self.app = app
        self._table = table
        self._built: RouteTable | None = None
        self.allowed_hosts = allowed_hosts
        self.allowed_origins = frozenset(origin.rstrip("/") for origin in allowed_origins)
        self.html_page = html_page

    @property
    def table(self) -> RouteTable:
        if self._built is None:
            self._built = self._table()
        return self._built

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed_hosts is not None:
            host = host_name(_header(scope, b"host") or "")
            if host not in self.allowed_hosts:
                await reject(
                    scope,
                    send,
                    421,
                    f"This server does not answer to the host name `{host[:100]}`; if it is this server's name, "
                    "add it to server.allowed_hosts.",
                    "host_not_allowed",
                    details=[{"field": "Host", "problem": "is not an allowed host name"}],
                )
                return
        entry = self.table.match(scope)
        try:
            principal = await self._principal(scope)
        except PoolTimeout:  # outside FastAPI's handlers: answered here as `core/errors.py` answers it
            await reject(scope, send, 503, POOL_BUSY, "database_busy", headers=[(b"retry-after", b"1")])
            return
        scope["jarvis.principal"] = principal
        if entry is None:  # no route: the router answers 404 (or redirects a trailing slash)
            await self.app(scope, receive, send)
            return
        if not principal.allows(entry.scope):
            await self._deny(scope, receive, send, denial(principal, entry.scope), principal)
            return
        if scope["method"] in UNSAFE:
            refusal = self._browser_check(scope, principal, entry)
            if refusal is not None:
                await reject(scope, send, refusal.status, refusal.message, refusal.code, details=refusal.details)
                return
        fast = entry.endpoint if entry.methods is not None and scope["method"] in entry.methods else None
        if fast is not None and scope["method"] in ("GET", "HEAD"):
            try:
                response = await fast(Request(scope, receive))
            except AppError:
                pass  # FastAPI's route raises it again, inside the app's error handling
            else:
                await response(scope, receive, send)
                return
        elif fast is not None and entry.scope != "admin":
            await self._fast_write(fast, scope, receive, send)
            return
        if entry.scope == "admin" and scope["method"] in UNSAFE:
            await self._audited(scope, receive, send, principal)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _fast_write(endpoint: Endpoint, scope: AsgiScope, receive: Receive, send: Send) -> None:
        """A hot write (ingest) answered here: it runs once, so its errors are answered here too, in the
        envelope FastAPI's handlers give (`core/errors.py`)."""
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except AppError as exc:
            response = app_error_response(request, exc)
        except PoolTimeout:
            response = app_error_response(request, DatabaseBusy(POOL_BUSY, headers={"Retry-After": "1"}))
        except Exception:
            response = unexpected_response(request)
        await response(scope, receive, send)

    async def _audited(self, scope: AsgiScope, receive: Receive, send: Send, principal: Principal) -> None:
        """An admin change: answered as usual, then written to the audit log (who, what, when, from where)."""
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            resolver = scope["app"].state.ctx.extras.get(RESOLVER)
            if resolver is not None and status < 400:
                client = scope.get("client")
                target = f"{scope['method']} {scope['path']}"
                try:
                    await resolver.record(
                        principal, "admin.change", target, client[0] if client else None, {"status": status}
                    )
                except Exception:  # the change is made; a failed audit write is logged, not raised
                    log.exception("audit_failed", target=target)

    async def _principal(self, scope: AsgiScope) -> Principal:
        ctx = scope["app"].state.ctx
        resolver = ctx.extras.get(RESOLVER)
        if resolver is not None:
            principal: Principal = await resolver.resolve(scope)
            return principal
        client = scope.get("client")
        if is_loopback(client[0] if client else None) or ctx.settings.server.trust_remote:
            return Principal("local", "local", frozenset({"read", "write", "ingest", "chat", "admin"}), "admin")
        return ANONYMOUS

    def _browser_check(self, scope: AsgiScope, principal: Principal, entry: RouteEntry) -> AppError | None:
        if principal.ambient:
            site = _header(scope, b"sec-fetch-site")
            origin = _header(scope, b"origin")
            # An origin listed in CORS_ORIGINS is trusted like our own, whatever Sec-Fetch-Site says of it.
            listed = origin is not None and origin.rstrip("/") in self.allowed_origins
            if not listed and (
                (site is not None and site not in ("same-origin", "none"))
                or (origin is not None and not same_origin(scope, origin, self.allowed_origins))
            ):
                return _CrossSite(
                    "This request came from another site; only this dashboard's own pages may change things.",
                    details=[{"field": "Origin", "problem": "is not this server"}],
                )
        if has_body(scope) and not accepts_type(entry.accepts, _header(scope, b"content-type")):
            wanted = " or ".join(entry.accepts)
            return _Unsupported(
                f"Send the body as {wanted} (with that Content-Type header).",
                details=[{"field": "Content-Type", "problem": f"must be {wanted}"}],
            )
        return None

    async def _deny(self, scope: AsgiScope, receive: Receive, send: Send, error: AppError, who: Principal) -> None:
        wants_page = scope["method"] == "GET" and not scope["path"].startswith(("/api/", "/v1/"))
        if wants_page and "text/html" in (_header(scope, b"accept") or ""):
            if who.kind == "anonymous":
                target = scope["path"] + (
                    f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else ""
                )
                response: Response = RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
                await response(scope, receive, send)
                return
            if self.html_page is not None:
                await self.html_page(Request(scope, receive), error.status, error.message)(scope, receive, send)
                return
        headers = [(b"www-authenticate", b'Bearer realm="jarvis"')] if error.status == 401 else None
        await reject(scope, send, error.status, error.message, error.code, details=error.details, headers=headers)


class _CrossSite(AppError):
    status = 403
    code = "cross_site"


class _Unsupported(AppError):
    status = 415
    code = "unsupported_media_type"


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/?=&")
