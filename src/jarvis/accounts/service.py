"""Users, logins, sessions, API tokens and the audit log: the accounts domain's write path.

Every function that changes something commits and writes its audit entry itself, so the API, the
pages and the command line (`jarvis user …`, `jarvis token …`) all leave the same trail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.accounts import passwords
from jarvis.accounts.models import ApiToken, AuditEntry, LoginFailure, LoginSession, User
from jarvis.core import clock
from jarvis.core.auth import ROLE_SCOPES, TOKEN_SCOPES, Role, Scope
from jarvis.core.db import row_id
from jarvis.core.errors import AppError, Conflict, NotFound, ValidationFailed
from jarvis.settings import AuthSettings

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
COOKIE = "jarvis_session"
ROLES: tuple[Role, ...] = ("admin", "member", "viewer")
MAX_PASSWORD = 1024
BACKOFF_CAP_S = 900


class WrongCredentials(AppError):
    status = 401
    code = "wrong_credentials"


class TooManyAttempts(AppError):
    status = 429
    code = "rate_limited"


def _field(name: str, problem: str) -> list[dict[str, str]]:
    return [{"field": name, "problem": problem}]


def check_name(name: str) -> str:
    if not re.match(NAME_PATTERN, name or ""):
        raise ValidationFailed(
            "A user name is 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit.",
            details=_field("username", "must match " + NAME_PATTERN),
        )
    return name


def check_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise ValidationFailed(f"`role` must be one of {', '.join(ROLES)}.", details=_field("role", "unknown role"))


def check_password(password: str, settings: AuthSettings, *, field: str = "password") -> str:
    if len(password) < settings.min_password_length:
        raise ValidationFailed(
            f"The password must be at least {settings.min_password_length} characters.",
            details=_field(field, f"shorter than {settings.min_password_length} characters"),
        )
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed("The password is too long.", details=_field(field, f"longer than {MAX_PASSWORD}"))
    return password


# --- the audit log ----------------------------------------------------------------------------------


def audit(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the audit log (committed with the change it records)."""
    session.add(
        AuditEntry(
            at=clock.now(),
            actor=actor[:100],
            action=action[:60],
            target=(target or None) and target[:300],
            ip=ip,
            detail=detail,
        )
    )


async def list_audit(session: AsyncSession, *, limit: int = 200, before: int | None = None) -> list[dict[str, Any]]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return [
        {
            "id": row.id,
            "at": clock.iso(row.at),
            "actor": row.actor,
            "action": row.action,
            "target": row.target,
            "ip": row.ip,
            "detail": row.detail,
        }
        for row in await session.scalars(query)
    ]


# --- users ------------------------------------------------------------------------------------------


def user_public(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role,
        "scopes": sorted(ROLE_SCOPES[check_role(user.role)]),
        "created_at": clock.iso(user.created_at),
        "password_changed_at": clock.iso(user.password_changed_at),
    }


async def count_users(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def get_user(session: AsyncSession, name: str) -> User | None:
    user: User | None = await session.scalar(select(User).where(User.name == name))
    return user


async def require_user(session: AsyncSession, name: str) -> User:
    user = await get_user(session, name)
    if user is None:
        raise NotFound(f"No user named {name!r}.", details=_field("username", "unknown user"))
    return user


async def list_users(session: AsyncSession) -> list[User]:
    return list(await session.scalars(select(User).order_by(User.name)))


async def add_user(
    session: AsyncSession, *, name: str, role: str, password: str, settings: AuthSettings, actor: str, ip: str | None
) -> User:
    check_name(name)
    role = check_role(role)
    check_password(password, settings)
    if await get_user(session, name) is not None:
        raise Conflict(f"A user named {name!r} already exists.", details=_field("username", "already exists"))
    now = clock.now()
    user = User(
        name=name, role=role, password_hash=passwords.hash_password(password), created_at=now, password_changed_at=now
    )
    session.add(user)
    audit(session, actor=actor, action="user.add", target=name, ip=ip, detail={"role": role})
    await session.commit()
    return user


async def _admins(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User).where(User.role == "admin")) or 0)


async def set_role(session: AsyncSession, *, user: User, role: str, actor: str, ip: str | None) -> User:
    role = check_role(role)
    if user.role == "admin" and role != "admin" and await _admins(session) <= 1:
        raise Conflict("This is the last admin; make another user admin first.", details=_field("role", "last admin"))
    before, user.role = user.role, role
    audit(session, actor=actor, action="user.role", target=user.name, ip=ip, detail={"from": before, "to": role})
    await session.commit()
    return user


async def set_password(
    session: AsyncSession, *, user: User, password: str, settings: AuthSettings, actor: str, ip: str | None
) -> None:
    """A new password ends every session of the user (a stolen cookie stops working)."""
    check_password(password, settings)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = clock.now()
    await _revoke_sessions(session, user.id)
    audit(session, actor=actor, action="user.password", target=user.name, ip=ip)
    await session.commit()


async def remove_user(session: AsyncSession, *, user: User, actor: str, ip: str | None) -> None:
    if user.role == "admin" and await _admins(session) <= 1 and await count_users(session) > 1:
        raise Conflict(
            "This is the last admin; make another user admin first.", details=_field("username", "last admin")
        )
    await session.execute(update(ApiToken).where(ApiToken.user_id == user.id).values(revoked_at=clock.now()))
    await session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    await session.delete(user)
    audit(session, actor=actor, action="user.remove", target=user.name, ip=ip)
    await session.commit()


# --- logins and sessions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoggedIn:
    cookie: str  # the session id to set in the cookie (never stored)
    user: User
    expires_at: datetime


def _backoff_s(row: LoginFailure | None, settings: AuthSettings, now: datetime) -> float:
    if row is None or now - row.first_at > timedelta(minutes=settings.login_window_minutes):
        return 0.0
    over = row.failures - settings.login_attempts
    if over < 0:
        return 0.0
    wait = min(2.0**over, BACKOFF_CAP_S)
    return max(0.0, wait - (now - row.last_at).total_seconds())


async def _note_failure(session: AsyncSession, key: str, settings: AuthSettings, now: datetime) -> None:
    row = await session.get(LoginFailure, key)
    if row is None:
        session.add(LoginFailure(key=key, failures=1, first_at=now, last_at=now))
    elif now - row.first_at > timedelta(minutes=settings.login_window_minutes):
        row.failures, row.first_at, row.last_at = 1, now, now
    else:
        row.failures, row.last_at = row.failures + 1, now


async def login(
    session: AsyncSession,
    *,
    name: str,
    password: str,
    settings: AuthSettings,
    ip: str | None,
    user_agent: str | None,
) -> LoggedIn:
    """A new session for the right name and password. Wrong ones get the same answer whether or not the
    name exists (and take as long); repeated failures per name or address wait longer each time."""
    now = clock.now()
    keys = [f"user:{name[:64].lower()}", f"ip:{ip or 'unknown'}"]
    rows = [await session.get(LoginFailure, key) for key in keys]
    wait = max(_backoff_s(row, settings, now) for row in rows)
    if wait > 0:
        seconds = int(wait) + 1
        raise TooManyAttempts(
            f"Too many failed logins; wait {seconds} s and try again.", headers={"Retry-After": str(seconds)}
        )
    user = await get_user(session, name) if re.match(NAME_PATTERN, name or "") else None
    if not passwords.verify_password(user.password_hash if user else None, password[:MAX_PASSWORD]) or user is None:
        for key in keys:
            await _note_failure(session, key, settings, now)
        audit(session, actor=name[:64] or "?", action="login.failed", ip=ip)
        await session.commit()
        raise WrongCredentials("Wrong user name or password.")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    await session.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))
    cookie = passwords.new_session_id()
    expires = now + timedelta(days=settings.session_days)
    session.add(
        LoginSession(
            id_hash=passwords.digest(cookie),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
            ip=ip,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    audit(session, actor=user.name, action="login", ip=ip, detail={"user_agent": (user_agent or "")[:120]})
    await session.commit()
    return LoggedIn(cookie, user, expires)


async def session_user(session: AsyncSession, id_hash: str) -> tuple[LoginSession, User] | None:
    row = await session.get(LoginSession, id_hash)
    now = clock.now()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = await session.get(User, row.user_id)
    return None if user is None else (row, user)


async def touch_session(session: AsyncSession, id_hash: str, settings: AuthSettings) -> None:
    """Slide the expiry forward on use, never past the absolute limit."""
    row = await session.get(LoginSession, id_hash)
    if row is None:
        return
    now = clock.now()
    row.last_seen_at = now
    row.expires_at = min(
        now + timedelta(days=settings.session_days), row.created_at + timedelta(days=settings.session_absolute_days)
    )
    await session.commit()


async def logout(session: AsyncSession, *, id_hash: str, actor: str, ip: str | None) -> None:
    await session.execute(update(LoginSession).where(LoginSession.id_hash == id_hash).values(revoked_at=clock.now()))
    audit(session, actor=actor, action="logout", ip=ip)
    await session.commit()


async def _revoke_sessions(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


async def logout_everywhere(session: AsyncSession, *, user: User, ip: str | None) -> None:
    await _revoke_sessions(session, user.id)
    audit(session, actor=user.name, action="logout.everywhere", ip=ip)
    await session.commit()


def session_public(row: LoginSession, *, current: str | None) -> dict[str, Any]:
    return {
        "created_at": clock.iso(row.created_at),
        "last_seen_at": clock.iso(row.last_seen_at),
        "expires_at": clock.iso(row.expires_at),
        "ip": row.ip,
        "user_agent": row.user_agent,
        "current": row.id_hash == current,
    }


async def list_sessions(session: AsyncSession, *, user: User) -> list[LoginSession]:
    now = clock.now()
    query = (
        select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None), LoginSession.expires_at > now)
        .order_by(LoginSession.last_seen_at.desc())
    )
    return list(await session.scalars(query))


# --- API tokens -------------------------------------------------------------------------------------


def check_scopes(scopes: Iterable[str], *, allowed: frozenset[Scope]) -> list[Scope]:
    chosen: list[Scope] = []
    for scope in scopes:
        known = next((s for s in TOKEN_SCOPES if s == scope), None)
        if known is None:
            raise ValidationFailed(
                f"Unknown scope {scope!r}; use {', '.join(TOKEN_SCOPES)}.", details=_field("scopes", "unknown scope")
            )
        if known not in allowed:
            raise ValidationFailed(
                f"You cannot give a token the `{known}` scope you do not have yourself.",
                details=_field("scopes", f"`{known}` is beyond your own access"),
            )
        if known not in chosen:
            chosen.append(known)
    if not chosen:
        raise ValidationFailed("A token needs at least one scope.", details=_field("scopes", "is empty"))
    return chosen


def token_public(token: ApiToken, owner: str | None = None) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "scopes": list(token.scopes),
        "owner": owner,
        "created_by": token.created_by,
        "created_at": clock.iso(token.created_at),
        "last_used_at": clock.iso(token.last_used_at),
        "last_used_ip": token.last_used_ip,
        "revoked_at": clock.iso(token.revoked_at),
    }


async def create_token(
    session: AsyncSession,
    *,
    name: str,
    scopes: Iterable[str],
    allowed: frozenset[Scope],
    user: User | None,
    actor: str,
    ip: str | None,
) -> tuple[str, ApiToken]:
    """A new token, returned once in clear (only its hash is kept)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed("A token needs a name of 1 to 100 characters.", details=_field("name", "1–100 chars"))
    chosen = check_scopes(scopes, allowed=allowed)
    secret = passwords.new_token()
    token = ApiToken(
        name=name,
        prefix=passwords.token_prefix(secret),
        secret_hash=passwords.digest(secret),
        scopes=chosen,
        user_id=user.id if user else None,
        created_by=actor[:64],
        created_at=clock.now(),
    )
    session.add(token)
    await session.flush()
    audit(
        session,
        actor=actor,
        action="token.create",
        target=f"{name} (#{token.id})",
        ip=ip,
        detail={"scopes": chosen, "prefix": token.prefix},
    )
    await session.commit()
    return secret, token


async def list_tokens(session: AsyncSession, *, user: User | None) -> list[tuple[ApiToken, str | None]]:
    """The tokens of `user`, or every token when `user` is None (an admin's view)."""
    query = select(ApiToken, User.name).outerjoin(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return [(token, owner) for token, owner in (await session.execute(query)).all()]


async def find_token(session: AsyncSession, ident: str) -> ApiToken:
    """By id, or by the prefix shown in lists."""
    token: ApiToken | None
    number = row_id(ident)
    if number is not None:
        token = await session.get(ApiToken, number)
    else:
        token = await session.scalar(select(ApiToken).where(ApiToken.prefix == ident[:24]))
    if token is None:
        raise NotFound(f"No API token {ident!r}.", details=_field("token", "unknown token"))
    return token


async def revoke_token(session: AsyncSession, *, token: ApiToken, actor: str, ip: str | None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit(session, actor=actor, action="token.revoke", target=f"{token.name} (#{token.id})", ip=ip)
        await session.commit()
    return token


async def token_owner(session: AsyncSession, secret_hash: str) -> tuple[ApiToken, User | None] | None:
    token: ApiToken | None = await session.scalar(select(ApiToken).where(ApiToken.secret_hash == secret_hash))
    if token is None or token.revoked_at is not None:
        return None
    user = await session.get(User, token.user_id) if token.user_id is not None else None
    if token.user_id is not None and user is None:
        return None
    return token, user


async def note_token_use(session: AsyncSession, *, token_id: int, ip: str | None, audit_it: bool) -> None:
    token = await session.get(ApiToken, token_id)
    if token is None:
        return
    token.last_used_at, token.last_used_ip = clock.now(), ip
    if audit_it:
        audit(session, actor=f"token {token.name} (#{token.id})", action="token.used", ip=ip)
    await session.commit()


def form_token(session_id_hash: str) -> str:
    """The token an HTML form of a logged-in page carries (derived from the session, so nothing is stored):
    a form post must present it as well as come from our origin."""
    return passwords.digest("form:" + session_id_hash)[:32]


def cookie_args(settings: AuthSettings, *, value: str, https: bool) -> dict[str, Any]:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS (or as `auth.secure_cookies` says)."""
    secure = https if settings.secure_cookies is None else settings.secure_cookies
    return {
        "key": COOKIE,
        "value": value,
        "max_age": int(settings.session_days * 86400),
        "httponly": True,
        "samesite": "lax",
        "secure": secure,
        "path": "/",
    }


async def get_user_by_id(session: AsyncSession, user_id: int | None) -> User | None:
    return await session.get(User, user_id) if user_id is not None else None
