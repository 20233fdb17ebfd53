"""Text from outside: NUL characters never reach the database, and names cannot pose as other names."""

from __future__ import annotations

import httpx
import pytest

from jarvis.core.middleware import without_nul


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": "x\\u0000y"}', b'{"a": "xy"}'),
        (b'{"a": "\\u0000\\u0000"}', b'{"a": ""}'),
        (b'{"a": "\\\\u0000"}', b'{"a": "\\\\u0000"}'),  # an escaped backslash, then the text u0000
        (b'{"a": "\\\\\\u0000"}', b'{"a": "\\\\"}'),  # an escaped backslash, then a NUL
        (b'{"a": 1}', b'{"a": 1}'),
    ],
)
def test_nul_escapes_are_removed_and_nothing_else(body: bytes, expected: bytes) -> None:
    assert without_nul(body) == expected


async def test_nul_in_any_text_field_is_stored_without_it(client: httpx.AsyncClient) -> None:
    """PostgreSQL refused these with a 500 (it cannot store U+0000); both databases store the text without it."""
    json_headers = {"content-type": "application/json"}
    project = await client.post("/api/projects", content=b'{"name": "shop\\u0000 wave"}', headers=json_headers)
    assert project.status_code == 201, project.text
    assert project.json()["data"]["name"] == "shop wave"
    blocker = await client.post("/api/blockers", content=b'{"description": "d\\u0000b"}', headers=json_headers)
    assert blocker.status_code == 201 and blocker.json()["data"]["description"] == "db"
    beat = b'{"status": "active", "name": "a\\u0000b", "current_task": "\\u00e7\\u0000"}'
    assert (await client.post("/api/instances/n1/heartbeat", content=beat, headers=json_headers)).status_code == 200
    instance = (await client.get("/api/instances/n1")).json()["data"]["instance"]
    assert instance["name"] == "ab" and instance["current_task"] == "ç"
    async with client.stream("POST", "/api/chat", content=b'{"message": "hi\\u0000 there"}', headers=json_headers) as r:
        assert r.status_code == 200
        conversation = [line async for line in r.aiter_lines()]
    assert any('"title":"hi there"' in line for line in conversation)


async def test_bidi_overrides_and_zero_width_characters_are_dropped_from_names(client: httpx.AsyncClient) -> None:
    """An RTL override makes `gpj.exe` read as `exe.jpg`; a zero-width space makes two names look equal."""
    beat = {"status": "active", "name": "shop\u200b", "current_task": "open \u202egpj.exe", "host": "lap\u2066top"}
    assert (await client.post("/api/instances/n2/heartbeat", json=beat)).status_code == 200
    instance = (await client.get("/api/instances/n2")).json()["data"]["instance"]
    assert (instance["name"], instance["current_task"], instance["host"]) == ("shop", "open gpj.exe", "laptop")
    project = await client.post("/api/projects", json={"name": "wave\u200d 3", "tasks": [{"name": "\u202ecart"}]})
    assert project.status_code == 201, project.text
    assert project.json()["data"]["name"] == "wave 3"
    only_invisible = await client.post("/api/projects", json={"name": "\u200b\u200b"})
    assert only_invisible.status_code == 400 and only_invisible.json()["details"][0]["field"] == "name"
