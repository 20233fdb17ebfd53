"""Accounts fixtures: users made through the service, clients logged in as them, remote clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from jarvis.accounts import service
from jarvis.accounts.resolver import ACCOUNTS
from jarvis.core.auth import ROLE_SCOPES
from jarvis.core.context import AppContext

PASSWORD = "correct horse battery"
Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


async def add_user(ctx: AppContext, name: str, role: str = "member", password: str = PASSWORD) -> None:
    async with ctx.db.sessions() as session:
        await service.add_user(
            session, name=name, role=role, password=password, settings=ctx.settings.auth, actor="test", ip=None
        )
    ctx.extras[ACCOUNTS].users_changed()


async def make_token(ctx: AppContext, *scopes: str, owner: str | None = None, name: str = "t") -> str:
    async with ctx.db.sessions() as session:
        user = await service.get_user(session, owner) if owner else None
        secret, _ = await service.create_token(
            session, name=name, scopes=scopes, allowed=ROLE_SCOPES["admin"], user=user, actor="test", ip=None
        )
    return secret


@pytest.fixture
def connect(app: FastAPI) -> Client:
    """`async with connect(host="203.0.113.7") as http:` — a client from that address (loopback by default)."""

    @asynccontextmanager
    async def open_client(host: str = "127.0.0.1", **headers: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=headers) as http:
            yield http

    return open_client


async def log_in(http: httpx.AsyncClient, name: str, password: str = PASSWORD) -> httpx.Response:
    response = await http.post("/api/auth/login", json={"username": name, "password": password})
    assert response.status_code == 200, response.text
    return response
