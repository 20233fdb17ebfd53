"""/api/auth/* (login, logout, who am I, own password and sessions), /api/users, /api/tokens, /api/audit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from jarvis.accounts import service
from jarvis.accounts.models import User
from jarvis.accounts.resolver import ACCOUNTS, client_ip
from jarvis.accounts.schemas import (
    AuditEnvelope,
    DoneEnvelope,
    LoginIn,
    MeEnvelope,
    PasswordChange,
    SessionsEnvelope,
    TokenCreate,
    TokenCreatedEnvelope,
    TokenEnvelope,
    TokensEnvelope,
    UserCreate,
    UserEnvelope,
    UsersEnvelope,
    UserUpdate,
)
from jarvis.accounts.service import COOKIE
from jarvis.core.auth import Principal, PrincipalDep, require
from jarvis.core.context import AppContext, CtxDep
from jarvis.core.db import SessionDep
from jarvis.core.errors import Conflict, Forbidden
from jarvis.core.jsonresp import ok

router = APIRouter(tags=["accounts"])
UserName = Annotated[str, Path(max_length=64)]


def set_session_cookie(ctx: AppContext, request: Request, response: Response, logged: service.LoggedIn) -> None:
    response.set_cookie(
        **service.cookie_args(ctx.settings.auth, value=logged.cookie, https=request.url.scheme == "https")
    )


async def me_data(ctx: AppContext, session: SessionDep, who: Principal) -> dict[str, object]:
    user = await session.get(User, who.user_id) if who.user_id is not None else None
    return {
        "principal": who.public(),
        "user": service.user_public(user) if user else None,
        "single_user": not await ctx.extras[ACCOUNTS].users_exist(),
    }


async def own_user(session: SessionDep, who: Principal) -> User:
    user = await session.get(User, who.user_id) if who.user_id is not None else None
    if user is None:
        raise Conflict(
            "There is no account here (single-user mode, or a token without an owner); "
            "create one with `jarvis user add NAME --role admin`."
        )
    return user


@router.post("/api/auth/login", dependencies=[require("public")], response_model=MeEnvelope)
async def login(request: Request, ctx: CtxDep, session: SessionDep, body: LoginIn) -> Response:
    """Log in with a user name and password: sets the session cookie (HttpOnly, SameSite=Lax)."""
    logged = await service.login(
        session,
        name=body.username,
        password=body.password,
        settings=ctx.settings.auth,
        ip=client_ip(request.scope),
        user_agent=request.headers.get("user-agent"),
    )
    ctx.extras[ACCOUNTS].users_changed()
    who = await ctx.extras[ACCOUNTS].resolve_session(logged.cookie)
    response = ok(await me_data(ctx, session, who))
    set_session_cookie(ctx, request, response, logged)
    return response


@router.post("/api/auth/logout", dependencies=[require("public")], response_model=DoneEnvelope)
async def logout(request: Request, ctx: CtxDep, session: SessionDep, who: PrincipalDep) -> Response:
    """End this session (and clear its cookie); without a session, nothing to do."""
    if who.session_id is not None:
        await service.logout(session, id_hash=who.session_id, actor=who.name, ip=client_ip(request.scope))
        ctx.extras[ACCOUNTS].forget(who.session_id)
    response = ok({"logged_out": who.session_id is not None})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/api/auth/logout-everywhere", dependencies=[require("read")], response_model=DoneEnvelope)
async def logout_everywhere(request: Request, ctx: CtxDep, session: SessionDep, who: PrincipalDep) -> Response:
    """End every session of your account, on every device."""
    user = await own_user(session, who)
    await service.logout_everywhere(session, user=user, ip=client_ip(request.scope))
    ctx.extras[ACCOUNTS].forget()
    response = ok({"logged_out": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/api/auth/me", dependencies=[require("public")], response_model=MeEnvelope)
async def me(ctx: CtxDep, session: SessionDep, who: PrincipalDep) -> Response:
    """Who you are to this server (anonymous, a user, a token, or single-user mode's local admin)."""
    return ok(await me_data(ctx, session, who))


@router.post("/api/auth/password", dependencies=[require("read")], response_model=DoneEnvelope)
async def change_password(
    request: Request, ctx: CtxDep, session: SessionDep, who: PrincipalDep, body: PasswordChange
) -> Response:
    """Change your own password (the current one is required); every session ends, this one included."""
    user = await own_user(session, who)
    from jarvis.accounts.passwords import verify_password

    if not verify_password(user.password_hash, body.current_password):
        raise service.WrongCredentials(
            "The current password is wrong.", details=[{"field": "current_password", "problem": "is wrong"}]
        )
    await service.set_password(
        session,
        user=user,
        password=body.new_password,
        settings=ctx.settings.auth,
        actor=user.name,
        ip=client_ip(request.scope),
    )
    ctx.extras[ACCOUNTS].forget()
    response = ok({"changed": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/api/auth/sessions", dependencies=[require("read")], response_model=SessionsEnvelope)
async def my_sessions(session: SessionDep, who: PrincipalDep) -> Response:
    """Your open sessions (devices you are logged in on)."""
    user = await own_user(session, who)
    rows = await service.list_sessions(session, user=user)
    return ok([service.session_public(row, current=who.session_id) for row in rows])


# --- users (admins) ---------------------------------------------------------------------------------


@router.get("/api/users", dependencies=[require("admin")], response_model=UsersEnvelope)
async def list_users(session: SessionDep) -> Response:
    return ok([service.user_public(user) for user in await service.list_users(session)])


@router.post("/api/users", dependencies=[require("admin")], status_code=201, response_model=UserEnvelope)
async def add_user(request: Request, ctx: CtxDep, session: SessionDep, who: PrincipalDep, body: UserCreate) -> Response:
    """Add a user with a role (`admin`, `member`, `viewer`) and an initial password."""
    user = await service.add_user(
        session,
        name=body.username,
        role=body.role,
        password=body.password,
        settings=ctx.settings.auth,
        actor=who.name,
        ip=client_ip(request.scope),
    )
    ctx.extras[ACCOUNTS].users_changed()
    return ok(service.user_public(user), status_code=201)


@router.patch("/api/users/{name}", dependencies=[require("admin")], response_model=UserEnvelope)
async def update_user(
    request: Request, ctx: CtxDep, session: SessionDep, who: PrincipalDep, name: UserName, body: UserUpdate
) -> Response:
    """Change a user's role, or set a new password (which ends their sessions)."""
    user = await service.require_user(session, name)
    ip = client_ip(request.scope)
    if body.password is not None:
        await service.set_password(
            session, user=user, password=body.password, settings=ctx.settings.auth, actor=who.name, ip=ip
        )
    if body.role is not None and body.role != user.role:
        await service.set_role(session, user=user, role=body.role, actor=who.name, ip=ip)
    ctx.extras[ACCOUNTS].forget()
    return ok(service.user_public(user))


@router.delete("/api/users/{name}", dependencies=[require("admin")], response_model=DoneEnvelope)
async def remove_user(
    request: Request, ctx: CtxDep, session: SessionDep, who: PrincipalDep, name: UserName
) -> Response:
    """Remove a user: their sessions end and their tokens are revoked."""
    user = await service.require_user(session, name)
    if user.id == who.user_id:
        raise Conflict("You cannot remove your own account.", details=[{"field": "username", "problem": "is you"}])
    await service.remove_user(session, user=user, actor=who.name, ip=client_ip(request.scope))
    ctx.extras[ACCOUNTS].users_changed()
    ctx.extras[ACCOUNTS].forget()
    return ok({"removed": name})


# --- API tokens -------------------------------------------------------------------------------------


@router.get("/api/tokens", dependencies=[require("read")], response_model=TokensEnvelope)
async def list_tokens(
    session: SessionDep, who: PrincipalDep, every: Annotated[bool, Query(alias="all")] = False
) -> Response:
    """Your API tokens; `?all=true` lists everyone's (admins)."""
    if every and not who.allows("admin"):
        raise Forbidden("Only admins can list everyone's tokens.")
    user = None if (every or who.user_id is None) else await session.get(User, who.user_id)
    rows = await service.list_tokens(session, user=user)
    if user is None and not every:  # single-user mode: the tokens made here have no owner
        rows = [(token, owner) for token, owner in rows if owner is None]
    return ok([service.token_public(token, owner) for token, owner in rows])


@router.post("/api/tokens", dependencies=[require("write")], status_code=201, response_model=TokenCreatedEnvelope)
async def create_token(request: Request, session: SessionDep, who: PrincipalDep, body: TokenCreate) -> Response:
    """Create an API token (scopes no wider than your own); the token is in this answer and nowhere else."""
    owner: User | None = await session.get(User, who.user_id) if who.user_id is not None else None
    if body.user is not None and (owner is None or body.user != owner.name):
        if not who.allows("admin"):
            raise Forbidden("Only admins can create tokens for someone else.")
        owner = await service.require_user(session, body.user)
    secret, token = await service.create_token(
        session,
        name=body.name,
        scopes=body.scopes,
        allowed=who.scopes,
        user=owner,
        actor=who.name,
        ip=client_ip(request.scope),
    )
    return ok({**service.token_public(token, owner.name if owner else None), "token": secret}, status_code=201)


@router.delete("/api/tokens/{ident}", dependencies=[require("write")], response_model=TokenEnvelope)
async def revoke_token(
    request: Request, ctx: CtxDep, session: SessionDep, who: PrincipalDep, ident: Annotated[str, Path(max_length=24)]
) -> Response:
    """Revoke a token (by id or its shown prefix): it stops working at once."""
    token = await service.find_token(session, ident)
    if token.user_id != who.user_id and not who.allows("admin"):
        raise Forbidden("This token is not yours; only admins can revoke other people's tokens.")
    await service.revoke_token(session, token=token, actor=who.name, ip=client_ip(request.scope))
    ctx.extras[ACCOUNTS].forget()
    return ok(service.token_public(token))


@router.get("/api/audit", dependencies=[require("admin")], response_model=AuditEnvelope)
async def audit_log(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """Logins, token use and admin changes, newest first (who, what, when, from where)."""
    return ok(await service.list_audit(session, limit=limit, before=before))
