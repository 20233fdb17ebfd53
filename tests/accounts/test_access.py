"""Every route is closed unless it is on the public list: walked over the route table itself, so a new
route is covered the day it is added. Anonymous callers get 401, a viewer 403 on every write, an ingest
token 403 on every read."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from jarvis.core.context import AppContext
from jarvis.core.gateway import RouteEntry, RouteTable
from tests.accounts.conftest import Client, add_user, log_in, make_token

# The explicit public list: anything else answering an anonymous client is a hole.
PUBLIC = {
    "/health",
    "/static",
    "/login",
    "/api/auth/login",
    "/api/auth/logout",
    "/api/auth/me",
    "/api/push/{token}",  # a push monitor's ping: the secret URL is the credential
    "/status",  # the status page and its badges, when [status_page] is enabled (404 otherwise)
    "/status/badge/{name}.svg",
}
# What any logged-in person may do to their own account, a viewer included.
SELF_SERVICE = {"/api/auth/logout-everywhere", "/api/auth/password", "/logout"}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def table(app: FastAPI) -> RouteTable:
    built: RouteTable = app.state.route_table
    return built


def sample_path(entry: RouteEntry) -> str:
    path = re.sub(r"\{[^}]+\}", "x1", entry.path)
    return path + "/x1" if entry.methods is None else path


def calls(app: FastAPI, scopes: set[str] | None = None) -> list[tuple[str, str, str]]:
    found = []
    for entry in table(app).entries:
        if scopes is not None and entry.scope not in scopes:
            continue
        for method in sorted(entry.methods or {"GET"}):
            if method != "HEAD":
                found.append((method, sample_path(entry), entry.scope))
    return found


async def request(http: httpx.AsyncClient, method: str, path: str) -> httpx.Response:
    body = {} if method in UNSAFE else None
    return await http.request(method, path, json=body, headers={"accept": "application/json"})


def test_the_public_list_is_exactly_what_is_open(app: FastAPI) -> None:
    assert set(table(app).public_paths()) == PUBLIC


def test_every_route_declares_a_scope(app: FastAPI) -> None:
    paths = {entry.path for entry in table(app).entries}
    assert {"/api/dashboard/overview", "/api/hooks/claude-code", "/openapi.json", "/docs"} <= paths
    assert all(entry.scope for entry in table(app).entries)


@pytest.mark.parametrize("host", ["203.0.113.7", "127.0.0.1"])
async def test_anonymous_clients_are_refused_everywhere_but_the_public_list(
    app: FastAPI, ctx: AppContext, connect: Client, host: str
) -> None:
    await add_user(ctx, "alice", "admin")  # with an account, loopback is no longer trusted either
    refused = []
    async with connect(host=host) as http:
        for method, path, scope in calls(app):
            if scope == "public":
                continue
            response = await request(http, method, path)
            if response.status_code not in (401, 403):
                refused.append((method, path, response.status_code))
    assert refused == []


async def test_a_remote_client_in_single_user_mode_gets_401_and_a_page_asks_for_login(
    app: FastAPI, connect: Client
) -> None:
    async with connect(host="203.0.113.7") as remote:
        response = await remote.get("/api/dashboard/overview")
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
        assert response.headers["www-authenticate"].startswith("Bearer")
        page = await remote.get("/instances/abc?x=1", headers={"accept": "text/html"})
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/instances/abc?x=1"
    async with connect() as local:  # no account exists: this machine is the admin, as before
        assert (await local.get("/api/dashboard/overview")).status_code == 200


async def test_a_viewer_gets_403_on_every_write(app: FastAPI, ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "vera", "viewer")
    allowed = []
    async with connect() as http:
        await log_in(http, "vera")
        assert (await http.get("/api/dashboard/overview")).status_code == 200
        for method, path, scope in calls(app):
            if method not in UNSAFE or scope == "public" or path in SELF_SERVICE:
                continue
            response = await request(http, method, path)
            if response.status_code != 403:
                allowed.append((method, path, response.status_code))
    assert allowed == []


async def test_an_ingest_token_posts_but_reads_nothing(app: FastAPI, ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice", "admin")
    token = await make_token(ctx, "ingest")
    leaked = []
    async with connect(host="198.51.100.9", authorization=f"Bearer {token}") as agent:
        for method, path, scope in calls(app):
            if method == "GET" and scope != "public" and scope != "ingest":
                response = await agent.get(path)
                if response.status_code != 403:
                    leaked.append((path, response.status_code))
        beat = await agent.post("/api/instances/laptop-2/heartbeat", json={"status": "active"})
        assert beat.status_code == 200
        hook = await agent.post(
            "/api/hooks/claude-code", json={"session_id": "s1", "hook_event_name": "SessionStart", "cwd": "/srv/x"}
        )
        assert hook.status_code == 204
    assert leaked == []


async def test_a_revoked_or_unknown_token_is_401_naming_the_token(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice", "admin")
    async with connect(authorization="Bearer jcc_not-a-real-token-at-all-000000000000000") as http:
        response = await http.get("/api/dashboard/overview")
    assert response.status_code == 401 and "token is not valid" in response.json()["error"]
