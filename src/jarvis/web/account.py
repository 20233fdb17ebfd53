"""Login and account pages: /login, /logout, /account, /admin/users, /admin/audit.

Login and logout are plain HTML forms (they work without JavaScript) with a form token: the login
form's is a double-submit cookie, a logged-in page's is derived from its session. The account and admin
pages change things through the JSON API (`account.js`), which the gateway guards by origin.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from jarvis.accounts import service
from jarvis.accounts.schemas import LoginIn
from jarvis.core.auth import RESOLVER, PrincipalDep, require
from jarvis.core.context import CtxDep
from jarvis.core.db import SessionDep
from jarvis.core.errors import AppError, Forbidden
from jarvis.web.templating import render

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "jarvis_login_form"


def safe_next(target: str | None) -> str:
    """Only a path on this server: never `//evil.example` or `https://…`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target[:500]


@router.get("/login", dependencies=[require("public")])
async def login_page(
    request: Request, who: PrincipalDep, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:  # noqa: A002
    if who.kind in ("user", "local", "proxy"):
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next=safe_next(next))


def _login_form(
    request: Request, *, next: str, error: str | None = None, username: str = "", status: int = 200
) -> Response:  # noqa: A002
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    context = {"page": "login", "next": next, "error": error, "username": username, "login_token": token}
    response = render(request, "accounts/login.html", context, status_code=status)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict", path="/login")
    return response


@router.post("/login", dependencies=[require("public", accepts=("application/x-www-form-urlencoded",))])
async def login_submit(request: Request, ctx: CtxDep, session: SessionDep) -> Response:
    form = await request.form()
    target = safe_next(str(form.get("next") or "/"))
    username = str(form.get("username") or "")[:64]
    expected = request.cookies.get(LOGIN_COOKIE) or ""
    if not expected or not hmac.compare_digest(expected, str(form.get("form_token") or "")):
        return _login_form(
            request, next=target, username=username, status=403, error="This form expired; please log in again."
        )
    try:
        body = LoginIn(username=username or "?", password=str(form.get("password") or "")[:1024] or "?")
        client = request.client.host if request.client else None
        logged = await service.login(
            session,
            name=body.username,
            password=body.password,
            settings=ctx.settings.auth,
            ip=client,
            user_agent=request.headers.get("user-agent"),
        )
    except AppError as exc:
        response = _login_form(request, next=target, username=username, status=exc.status, error=exc.message)
        response.headers.update(exc.headers)
        return response
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        **service.cookie_args(ctx.settings.auth, value=logged.cookie, https=request.url.scheme == "https")
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout", dependencies=[require("read", accepts=("application/x-www-form-urlencoded",))])
async def logout_submit(request: Request, session: SessionDep, who: PrincipalDep, ctx: CtxDep) -> Response:
    if who.session_id is None:
        return RedirectResponse("/", status_code=303)
    form = await request.form()
    if not hmac.compare_digest(service.form_token(who.session_id), str(form.get("form_token") or "")):
        raise Forbidden("This form expired; reload the page and log out again.")
    await service.logout(
        session, id_hash=who.session_id, actor=who.name, ip=request.client.host if request.client else None
    )
    resolver = ctx.extras.get(RESOLVER)
    if resolver is not None:
        resolver.forget(who.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(service.COOKIE, path="/")
    return response


@router.get("/account", dependencies=[require("read")])
async def account_page(request: Request, session: SessionDep, who: PrincipalDep) -> Response:
    user = await service.get_user_by_id(session, who.user_id)
    sessions = await service.list_sessions(session, user=user) if user else []
    tokens = await service.list_tokens(session, user=user) if user else []
    if user is None:
        tokens = [(token, owner) for token, owner in await service.list_tokens(session, user=None) if owner is None]
    context = {
        "page": "account",
        "nav": "account",
        "user": service.user_public(user) if user else None,
        "sessions": [service.session_public(row, current=who.session_id) for row in sessions],
        "tokens": [service.token_public(token, owner) for token, owner in tokens],
        "scopes": sorted(who.scopes - {"public"}),
    }
    return render(request, "accounts/account.html", context)


@router.get("/admin/users", dependencies=[require("admin")])
async def users_page(request: Request, session: SessionDep) -> Response:
    users = [service.user_public(user) for user in await service.list_users(session)]
    return render(request, "accounts/users.html", {"page": "users", "nav": "users", "users": users})


@router.get("/admin/audit", dependencies=[require("admin")])
async def audit_page(
    request: Request, session: SessionDep, before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
) -> Response:
    entries = await service.list_audit(session, limit=200, before=before)
    older = entries[-1]["id"] if len(entries) == 200 else None
    return render(request, "accounts/audit.html", {"page": "audit", "nav": "audit", "entries": entries, "older": older})
