"""Ingest writes on the gateway's fast path: answered ahead of FastAPI's router, with the same checks and errors."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from jarvis.core.writer import Overloaded
from jarvis.instances import ingest

HOOK = "/api/hooks/claude-code"
EVENT = {"session_id": "fast-1", "hook_event_name": "UserPromptSubmit", "prompt": "hi", "cwd": "/tmp/shop"}


@pytest.fixture
def router_calls(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths FastAPI's router was asked to dispatch."""
    calls: list[str] = []
    original = app.router.__class__.__call__

    async def counted(self: object, scope: dict[str, object], receive: object, send: object) -> None:
        calls.append(str(scope["path"]))
        await original(self, scope, receive, send)  # type: ignore[arg-type]

    monkeypatch.setattr(app.router.__class__, "__call__", counted)
    return calls


async def test_a_hook_is_stored_without_the_router(client: httpx.AsyncClient, router_calls: list[str]) -> None:
    response = await client.post(HOOK, json=EVENT)
    assert response.status_code == 204 and response.content == b""
    assert router_calls == []
    listed = (await client.get("/api/instances")).json()["data"]["instances"]
    assert [(i["session_id"], i["last_prompt"]) for i in listed] == [("fast-1", "hi")]


async def test_bad_input_gets_the_error_envelope_and_changes_nothing(
    client: httpx.AsyncClient, router_calls: list[str]
) -> None:
    response = await client.post(HOOK, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["details"] == [{"field": "body", "problem": "is not valid JSON"}]
    assert body["request_id"] and response.headers["x-request-id"] == body["request_id"]
    missing = await client.post(HOOK, json={"hook_event_name": "Stop"})
    assert missing.status_code == 400 and missing.json()["details"][0]["field"] == "session_id"
    assert router_calls == []
    assert (await client.get("/api/instances")).json()["data"]["instances"] == []


async def test_a_back_pressure_503_keeps_its_retry_after(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def full(*_: object) -> None:
        raise Overloaded("Too many writes are waiting (1); retry after 1 s.", headers={"Retry-After": "1"})

    monkeypatch.setattr(ingest, "submit", full)
    response = await client.post(HOOK, json=EVENT)
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json()["code"] == "overloaded"


async def test_an_unexpected_error_is_a_logged_500_envelope(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(ingest, "submit", broken)
    response = await client.post(HOOK, json=EVENT)
    assert response.status_code == 500 and response.headers["connection"] == "close"
    body = response.json()
    assert body["code"] == "internal" and "a bug" not in response.text
    assert response.headers["x-request-id"] == body["request_id"]  # once: the middleware outside adds it


async def test_other_methods_on_the_hook_path_are_405_and_run_nothing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def never(*_: object) -> None:
        raise AssertionError("the hook ran for a GET")

    monkeypatch.setattr(ingest, "submit", never)
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, HOOK, json=EVENT)
        assert response.status_code == 405, method
