"""Who a request's credentials name: the accounts side of the gateway (`core.auth.PrincipalResolver`).

Order: a bearer token; else the session cookie; else single-user mode — no account exists and the
client is this machine (or `server.trust_remote` says a proxy in front authenticates) — where the
caller is the local admin; else anonymous. Lookups are cached for a few seconds (the hot reads must not
pay a query each); logging out, revoking or changing a password drops the cached entry at once here,
and on other replicas within `CACHE_S`.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from http.cookies import SimpleCookie
from typing import Any

import structlog
from starlette.types import Scope as AsgiScope

from jarvis.accounts import passwords, service
from jarvis.core import clock
from jarvis.core.auth import ANONYMOUS, ROLE_SCOPES, Principal, Scope, is_loopback
from jarvis.core.context import AppContext
from jarvis.core.extras import Key

log = structlog.get_logger("jarvis.accounts")

COOKIE = service.COOKIE
CACHE_S = 10.0
TOUCH_EVERY_S = 60.0  # a session's expiry slides, and a token's last use is stored, at most this often
AUDIT_TOKEN_USE_EVERY_S = 3600.0
USERS_RECHECK_S = (2.0, 30.0)  # how soon to look again whether accounts exist: while none do, while some do
MAX_CACHED = 10_000

LOCAL = Principal("local", "local", ROLE_SCOPES["admin"], "admin")
PROXY = Principal("proxy", "proxy", ROLE_SCOPES["admin"], "admin")
INVALID_TOKEN = Principal("anonymous", "invalid-token")


def header(scope: AsgiScope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def session_cookie(scope: AsgiScope) -> str | None:
    raw = header(scope, b"cookie")
    if not raw or COOKIE not in raw:
        return None
    try:
        jar: SimpleCookie = SimpleCookie(raw)
    except Exception:  # noqa: BLE001 - a malformed cookie header is no credential
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None and 20 <= len(morsel.value) <= 100 else None


def client_ip(scope: AsgiScope) -> str | None:
    client = scope.get("client")
    return str(client[0])[:64] if client else None


class AccountsResolver:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        # hash -> (when looked up, the principal or None, the moment it stops being valid)
        self._cache: dict[str, tuple[float, Principal | None, datetime | None]] = {}
        self._touched: dict[str, float] = {}
        self._token_audited: dict[int, float] = {}
        self._users_exist: bool | None = None
        self._users_checked = 0.0
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- the gateway's question ----------------------------------------------------------------------

    async def resolve(self, scope: AsgiScope) -> Principal:
        authorization = header(scope, b"authorization")
        if authorization is not None and authorization[:7].lower() == "bearer ":
            return await self._token(authorization[7:].strip(), scope)
        cookie = session_cookie(scope)
        if cookie is not None:
            found = await self._session(cookie)
            if found is not None:
                return found
        if not await self.users_exist():
            if is_loopback(client_ip(scope)):
                return LOCAL
            if self.ctx.settings.server.trust_remote:
                return PROXY
        return ANONYMOUS

    async def users_exist(self) -> bool:
        now = time.monotonic()
        wait = USERS_RECHECK_S[1] if self._users_exist else USERS_RECHECK_S[0]
        if self._users_exist is None or now - self._users_checked > wait:
            async with self._lock:
                if self._users_exist is None or now - self._users_checked > wait:
                    async with self.ctx.db.sessions() as session:
                        self._users_exist = await service.count_users(session) > 0
                    self._users_checked = time.monotonic()
        return bool(self._users_exist)

    async def resolve_session(self, cookie: str) -> Principal:
        """The principal of a session just created (the login answer says who you are now)."""
        return await self._session(cookie) or ANONYMOUS

    def users_changed(self) -> None:
        """An account was added or removed in this process: look again on the next request."""
        self._users_exist = None

    def forget(self, key: str | None = None) -> None:
        """Drop a cached session or token (by its hash), or everything."""
        if key is None:
            self._cache.clear()
        else:
            self._cache.pop(key, None)

    # --- lookups -------------------------------------------------------------------------------------

    def _cached(self, key: str) -> tuple[bool, Principal | None]:
        hit = self._cache.get(key)
        if hit is None or time.monotonic() - hit[0] >= CACHE_S:
            return False, None
        if hit[2] is not None and clock.now() >= hit[2]:  # the session expired while cached
            return True, None
        return True, hit[1]

    def _store(self, key: str, principal: Principal | None, until: datetime | None = None) -> None:
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[key] = (time.monotonic(), principal, until)

    async def _session(self, cookie: str) -> Principal | None:
        key = passwords.digest(cookie)
        hit, principal = self._cached(key)
        if not hit:
            async with self.ctx.db.sessions() as session:
                found = await service.session_user(session, key)
            until = None
            if found is None:
                principal = None
            else:
                row, user = found
                role = service.check_role(user.role)
                principal = Principal("user", user.name, ROLE_SCOPES[role], role, user_id=user.id, session_id=key)
                until = row.expires_at
            self._store(key, principal, until)
        if principal is not None:
            self._later(key, lambda: self._touch_session(key))
        return principal

    async def _token(self, secret: str, scope: AsgiScope) -> Principal:
        if not secret.startswith(passwords.TOKEN_PREFIX) or len(secret) > 100:
            return INVALID_TOKEN
        key = passwords.digest(secret)
        hit, principal = self._cached(key)
        if not hit:
            async with self.ctx.db.sessions() as session:
                found = await service.token_owner(session, key)
            if found is None:
                principal = None
            else:
                token, user = found
                scopes: frozenset[Scope] = frozenset(s for s in ROLE_SCOPES["admin"] if s in token.scopes)
                role = service.check_role(user.role) if user is not None else None
                if role is not None:  # a token never does more than its owner may today
                    scopes &= ROLE_SCOPES[role]
                principal = Principal(
                    "token",
                    f"token {token.name} (#{token.id})",
                    scopes,
                    role,
                    user_id=user.id if user else None,
                    token_id=token.id,
                )
            self._store(key, principal)
        if principal is None:
            return INVALID_TOKEN
        token_id = principal.token_id
        assert token_id is not None
        ip = client_ip(scope)
        self._later(key, lambda: self._touch_token(token_id, ip))
        return principal

    # --- bookkeeping off the request's path ----------------------------------------------------------

    def _later(self, key: str, job: Any) -> None:
        now = time.monotonic()
        if now - self._touched.get(key, 0.0) < TOUCH_EVERY_S:
            return
        if len(self._touched) >= MAX_CACHED:
            self._touched.clear()
        self._touched[key] = now
        task = asyncio.create_task(job())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _touch_session(self, key: str) -> None:
        try:
            async with self.ctx.db.sessions() as session:
                await service.touch_session(session, key, self.ctx.settings.auth)
        except Exception:  # bookkeeping; the request was already answered
            log.exception("session_touch_failed")

    async def _touch_token(self, token_id: int, ip: str | None) -> None:
        now = time.monotonic()
        audit_it = now - self._token_audited.get(token_id, -AUDIT_TOKEN_USE_EVERY_S) >= AUDIT_TOKEN_USE_EVERY_S
        if audit_it:
            self._token_audited[token_id] = now
        try:
            async with self.ctx.db.sessions() as session:
                await service.note_token_use(session, token_id=token_id, ip=ip, audit_it=audit_it)
        except Exception:
            log.exception("token_touch_failed")

    async def record(
        self, principal: Principal, action: str, target: str, ip: str | None, detail: dict[str, Any]
    ) -> None:
        """An audit entry for a change made through the API (the gateway calls this for admin writes)."""
        async with self.ctx.db.sessions() as session:
            service.audit(session, actor=principal.name, action=action, target=target, ip=ip, detail=detail)
            await session.commit()

    async def close(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


ACCOUNTS = Key[AccountsResolver]("accounts")
