"""The browser defences: cross-site writes, DNS rebinding, content types, and the login form."""

from __future__ import annotations

import re

import pytest

from jarvis.core.context import AppContext
from tests.accounts.conftest import PASSWORD, Client, add_user, log_in, make_token


@pytest.mark.parametrize(
    "headers",
    [{"origin": "http://evil.example"}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}],
)
async def test_cross_site_writes_with_a_cookie_are_refused_and_change_nothing(
    ctx: AppContext, connect: Client, headers: dict[str, str]
) -> None:
    await add_user(ctx, "alice", "admin")
    async with connect() as http:
        await log_in(http, "alice")
        ctx.cache.set("probe", 1, 60)
        bodiless = await http.post("/api/cache/clear", headers=headers)
        assert bodiless.status_code == 403 and bodiless.json()["code"] == "cross_site"
        assert ctx.cache.peek("probe") == 1
        beat = await http.post("/api/instances/planted/heartbeat", json={"status": "active"}, headers=headers)
        assert beat.status_code == 403
        assert (await http.get("/api/instances/planted")).status_code == 404
        same = await http.post("/api/cache/clear", headers={"origin": "http://127.0.0.1"})
        assert same.status_code == 200 and ctx.cache.peek("probe") is None


async def test_single_user_mode_is_ambient_too(connect: Client) -> None:
    async with connect() as http:  # no account: the browser on this machine is admin, so its origin is checked
        planted = await http.post(
            "/api/hooks/claude-code",
            json={"session_id": "s", "hook_event_name": "UserPromptSubmit", "prompt": "rm -rf"},
            headers={"origin": "http://evil.example"},
        )
        assert planted.status_code == 403
        plain = await http.post("/api/hooks/claude-code", json={"session_id": "s", "hook_event_name": "Stop"})
        assert plain.status_code == 204  # curl and jarvis hook send no Origin


async def test_a_bearer_token_is_not_ambient(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice", "admin")
    token = await make_token(ctx, "ingest")
    async with connect(authorization=f"Bearer {token}") as http:
        response = await http.post("/api/instances/a/heartbeat", json={"status": "idle"}, headers={"origin": "x://y"})
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "attacker.test:80", "127.0.0.1.evil.example"])
async def test_a_foreign_host_header_is_refused(connect: Client, host: str) -> None:
    async with connect() as http:
        response = await http.get("/health", headers={"host": host})
    assert response.status_code == 421 and response.json()["details"][0]["field"] == "Host"


async def test_json_routes_refuse_other_content_types(connect: Client) -> None:
    async with connect() as http:
        for path, body in [
            ("/api/hooks/claude-code", '{"session_id": "s", "hook_event_name": "Stop"}'),
            ("/api/metrics", '{"points": [{"module": "music", "key": "k", "value": 1}]}'),
        ]:
            response = await http.post(path, content=body, headers={"content-type": "text/plain"})
            assert response.status_code == 415, path
            assert response.json()["details"] == [{"field": "Content-Type", "problem": "must be application/json"}]
        assert (await http.get("/api/instances")).json()["data"]["instances"] == []


async def test_the_login_form_needs_its_token_and_never_redirects_off_site(ctx: AppContext, connect: Client) -> None:
    await add_user(ctx, "alice")
    async with connect() as http:
        page = await http.get("/login", params={"next": "//evil.example/x"})
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert page.status_code == 200 and token is not None
        assert 'value="/"' in page.text  # the off-site `next` was dropped
        forged = await http.post(
            "/login", data={"username": "alice", "password": PASSWORD, "form_token": "guess", "next": "/"}
        )
        assert forged.status_code == 403 and "jarvis_session" not in forged.headers.get("set-cookie", "")
        wrong = await http.post(
            "/login", data={"username": "alice", "password": "nope nope nope", "form_token": token[1], "next": "/"}
        )
        assert wrong.status_code == 401 and "Wrong user name or password." in wrong.text
        done = await http.post(
            "/login",
            data={"username": "alice", "password": PASSWORD, "form_token": token[1], "next": "https://evil.example"},
        )
        assert done.status_code == 303 and done.headers["location"] == "/"
        assert (await http.get("/account")).status_code == 200
        account = (await http.get("/account")).text
        form_token = re.search(
            r'action="/logout"[^>]*>\s*<input type="hidden" name="form_token" value="([^"]+)"', account
        )
        assert form_token is not None
        assert (await http.post("/logout", data={"form_token": "forged"})).status_code == 403
        out = await http.post("/logout", data={"form_token": form_token[1]})
        assert out.status_code == 303 and (await http.get("/api/instances")).status_code == 401


async def test_single_user_mode_shows_its_banner_and_accounts_hide_it(ctx: AppContext, connect: Client) -> None:
    async with connect() as http:
        assert "Single-user mode" in (await http.get("/")).text
        await add_user(ctx, "alice")
        await log_in(http, "alice")
        page = (await http.get("/")).text
    assert "Single-user mode" not in page and "alice" in page and 'action="/logout"' in page
