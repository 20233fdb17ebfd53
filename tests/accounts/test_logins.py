"""Logins, sessions, back-off, passwords, tokens and the audit log, through the HTTP API."""

from __future__ import annotations

import httpx

from jarvis.core import clock
from jarvis.core.context import AppContext
from tests.accounts.conftest import PASSWORD, Client, add_user, log_in, make_token


async def audit_actions(http: httpx.AsyncClient) -> list[tuple[str, str]]:
    entries = (await http.get("/api/audit")).json()["data"]
    return [(e["actor"], e["action"]) for e in entries]


async def test_login_sets_a_safe_cookie_and_the_session_works(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice", "admin")
    async with connect() as http:
        response = await log_in(http, "alice")
        cookie = response.headers["set-cookie"]
        assert "jarvis_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # plain http here; https sets it
        me = (await http.get("/api/auth/me")).json()["data"]
        assert me["principal"]["name"] == "alice" and me["single_user"] is False
        assert (await http.get("/api/dashboard/overview")).status_code == 200


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice")
    async with connect() as http:
        wrong = await http.post("/api/auth/login", json={"username": "alice", "password": "nope nope nope"})
        unknown = await http.post("/api/auth/login", json={"username": "mallory", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"] == "Wrong user name or password."
    assert "set-cookie" not in wrong.headers


async def test_repeated_failures_back_off_with_retry_after(
    ctx: AppContext, connect: Client, frozen_clock: clock.FrozenClock
) -> None:
    await add_user(ctx, "alice")
    attempts = ctx.settings.auth.login_attempts
    async with connect(host="198.51.100.4") as http:
        codes = [
            (await http.post("/api/auth/login", json={"username": "alice", "password": "x" * 12})).status_code
            for _ in range(attempts)
        ]
        assert codes == [401] * attempts  # then each further try waits longer: 1 s, 2 s, 4 s …
        blocked = await http.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
        frozen_clock.advance(5)
        assert (await http.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})).status_code == 200


async def test_sessions_expire_and_logout_ends_them(
    ctx: AppContext, connect: Client, frozen_clock: clock.FrozenClock
) -> None:
    await add_user(ctx, "alice")
    async with connect() as http:
        await log_in(http, "alice")
        assert (await http.get("/api/dashboard/overview")).status_code == 200
        frozen_clock.advance(ctx.settings.auth.session_days * 86400 + 1)
        assert (await http.get("/api/dashboard/overview")).status_code == 401
    async with connect() as http:
        await log_in(http, "alice")
        stolen = http.cookies.get("jarvis_session")
        assert (await http.post("/api/auth/logout")).status_code == 200
    async with connect(cookie=f"jarvis_session={stolen}") as thief:
        assert (await thief.get("/api/dashboard/overview")).status_code == 401


async def test_log_out_everywhere_and_a_new_password_end_every_session(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice")
    async with connect() as phone, connect() as laptop:
        await log_in(phone, "alice")
        await log_in(laptop, "alice")
        assert len((await laptop.get("/api/auth/sessions")).json()["data"]) == 2
        assert (await laptop.post("/api/auth/logout-everywhere")).status_code == 200
        assert (await phone.get("/api/dashboard/overview")).status_code == 401
        await log_in(phone, "alice")
        short = await phone.post("/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"})
        assert short.status_code == 400 and short.json()["details"][0]["field"] == "password"
        wrong = await phone.post(
            "/api/auth/password", json={"current_password": "not it at all", "new_password": "a much longer one"}
        )
        assert wrong.status_code == 401 and wrong.json()["details"][0]["field"] == "current_password"
        changed = await phone.post(
            "/api/auth/password", json={"current_password": PASSWORD, "new_password": "a much longer one"}
        )
        assert changed.status_code == 200
        assert (await phone.get("/api/dashboard/overview")).status_code == 401
        await log_in(phone, "alice", "a much longer one")


async def test_admins_manage_users_with_clear_errors(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice", "admin")
    async with connect() as http:
        await log_in(http, "alice")
        bad = [
            ({"username": "bob", "role": "member", "password": "short"}, 400, "password"),
            ({"username": "bad name!", "role": "member", "password": PASSWORD}, 400, "username"),
            ({"username": "bob", "role": "boss", "password": PASSWORD}, 400, "role"),
            ({"username": "alice", "role": "member", "password": PASSWORD}, 409, "username"),
        ]
        for body, status, field in bad:
            response = await http.post("/api/users", json=body)
            assert response.status_code == status, body
            assert response.json()["details"][0]["field"] == field
        assert [u["name"] for u in (await http.get("/api/users")).json()["data"]] == ["alice"]
        created = await http.post("/api/users", json={"username": "bob", "role": "viewer", "password": PASSWORD})
        assert created.status_code == 201 and created.json()["data"]["scopes"] == ["read"]
        last = await http.patch("/api/users/alice", json={"role": "member"})
        assert last.status_code == 409 and "last admin" in last.json()["error"]
        assert (await http.delete("/api/users/alice")).status_code == 409  # yourself
        assert (await http.delete("/api/users/nobody")).status_code == 404
        assert (await http.patch("/api/users/bob", json={"role": "member"})).json()["data"]["role"] == "member"
        assert (await http.delete("/api/users/bob")).status_code == 200


async def test_tokens_are_shown_once_scoped_and_revocable(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice", "admin")
    await add_user(ctx, "mia", "member")
    async with connect() as admin, connect() as member:
        await log_in(admin, "alice")
        await log_in(member, "mia")
        beyond = await member.post("/api/tokens", json={"name": "x", "scopes": ["admin"]})
        assert beyond.status_code == 400 and beyond.json()["details"][0]["field"] == "scopes"
        created = await member.post("/api/tokens", json={"name": "laptop-2", "scopes": ["ingest"]})
        assert created.status_code == 201
        token, token_id = created.json()["data"]["token"], created.json()["data"]["id"]
        assert token.startswith("jcc_") and created.json()["data"]["prefix"] == token[:12]
        listed = (await member.get("/api/tokens")).json()["data"]
        assert [t["name"] for t in listed] == ["laptop-2"] and "token" not in listed[0]
        assert token not in (await admin.get("/api/tokens", params={"all": "true"})).text
        assert (await member.get("/api/tokens", params={"all": "true"})).status_code == 403
        async with connect(host="198.51.100.7", authorization=f"Bearer {token}") as agent:
            assert (await agent.post("/api/instances/a/heartbeat", json={"status": "idle"})).status_code == 200
            assert (await agent.get("/api/instances")).status_code == 403
            assert (await admin.delete(f"/api/tokens/{token_id}")).status_code == 200
            assert (await agent.post("/api/instances/a/heartbeat", json={"status": "idle"})).status_code == 401
        assert (await admin.delete("/api/tokens/999")).status_code == 404


async def test_a_token_never_does_more_than_its_owner_may_today(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice", "admin")
    await add_user(ctx, "mia", "member")
    token = await make_token(ctx, "read", "write", owner="mia")
    async with connect() as admin:
        await log_in(admin, "alice")
        await admin.patch("/api/users/mia", json={"role": "viewer"})
    async with connect(authorization=f"Bearer {token}") as script:
        assert (await script.get("/api/instances")).status_code == 200
        assert (await script.post("/api/blockers", json={"description": "x"})).status_code == 403


async def test_the_audit_log_records_logins_tokens_and_admin_changes(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice", "admin")
    async with connect(host="198.51.100.20") as http:
        await http.post("/api/auth/login", json={"username": "alice", "password": "wrong password!"})
        await log_in(http, "alice")
        await http.post("/api/tokens", json={"name": "ci", "scopes": ["read"]})
        assert (await http.post("/api/cache/clear")).status_code == 200
        actions = await audit_actions(http)
        entries = (await http.get("/api/audit")).json()["data"]
    assert ("alice", "login.failed") in actions and ("alice", "login") in actions
    assert ("alice", "token.create") in actions
    change = next(e for e in entries if e["action"] == "admin.change")
    assert change["target"] == "POST /api/cache/clear" and change["ip"] == "198.51.100.20"
    assert change["actor"] == "alice"
