"""A hook session and its telemetry meet on the session id: the instance shows what it cost."""

from __future__ import annotations

import httpx
import pytest

from tests.costs.otlp import PROTOBUF, api_request, cost, logs, metrics, tokens


async def hook(client: httpx.AsyncClient, session_id: str) -> str:
    payload = {"session_id": session_id, "hook_event_name": "SessionStart", "cwd": "/work/app", "source": "startup"}
    response = await client.post("/api/hooks/claude-code", json=payload)
    assert response.status_code == 204, response.text
    instances = (await client.get("/api/instances")).json()["data"]["instances"]
    return next(i["id"] for i in instances if i["session_id"] == session_id)


async def send(client: httpx.AsyncClient, path: str, body: bytes) -> None:
    response = await client.post(path, content=body, headers=PROTOBUF)
    assert response.status_code == 200, response.text


async def test_instances_carry_cost_and_tokens_or_null(client: httpx.AsyncClient) -> None:
    from_metrics = await hook(client, "sess-metrics")
    from_events = await hook(client, "sess-events")
    silent = await hook(client, "sess-silent")
    await send(
        client,
        "/v1/metrics",
        metrics(
            ("claude_code.cost.usage", [cost("sess-metrics", 0.5), cost("sess-events", 9.0)]),
            ("claude_code.token.usage", [tokens("sess-metrics", "output", 70), tokens("sess-events", "input", 9)]),
        ).SerializeToString(),
    )
    # The same spend as events: they win for that session, its metrics are not added.
    await send(
        client,
        "/v1/logs",
        logs(
            api_request("sess-events", 0.25, sequence=1), api_request("sess-events", 0.5, sequence=2)
        ).SerializeToString(),
    )

    listed = {i["id"]: i for i in (await client.get("/api/instances")).json()["data"]["instances"]}
    assert listed[from_metrics]["cost_usd"] == 0.5
    assert listed[from_metrics]["tokens"] == {"input": 0, "output": 70, "cache_read": 0, "cache_creation": 0}
    assert listed[from_events]["cost_usd"] == 0.75
    assert listed[from_events]["tokens"] == {"input": 200, "output": 40, "cache_read": 2000, "cache_creation": 100}
    assert listed[silent]["cost_usd"] is None and listed[silent]["tokens"] is None

    detail = (await client.get(f"/api/instances/{from_events}")).json()["data"]["instance"]
    assert detail["cost_usd"] == 0.75
    section = (await client.get("/api/sections/instances")).json()["data"]
    cards = {i["id"]: i for i in section["instances"]}
    assert cards[from_metrics]["cost_usd"] == 0.5 and cards[silent]["tokens"] is None

    by_session = (await client.get("/api/costs", params={"group_by": "session"})).json()["data"]
    assert {g["key"]: g["cost_usd"] for g in by_session["groups"]} == {"sess-metrics": 0.5, "sess-events": 0.75}
    assert by_session["total"]["cost_usd"] == 1.25 and by_session["total"]["requests"] == 2


async def test_the_instances_list_reads_costs_in_one_query(client: httpx.AsyncClient, ctx: object) -> None:
    from sqlalchemy import event

    from jarvis.core.context import AppContext

    assert isinstance(ctx, AppContext)
    for n in range(5):
        await hook(client, f"many-{n}")
        await send(
            client, "/v1/metrics", metrics(("claude_code.cost.usage", [cost(f"many-{n}", 0.1)])).SerializeToString()
        )
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = ctx.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = await client.get("/api/instances")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert all(i["cost_usd"] == 0.1 for i in response.json()["data"]["instances"])
    assert sum("cost_sessions" in s for s in statements) == 1


@pytest.mark.parametrize("group_by", ["session", "host", "model", "day"])
async def test_costs_group_by_each_value(client: httpx.AsyncClient, group_by: str) -> None:
    await send(
        client,
        "/v1/metrics",
        metrics(("claude_code.cost.usage", [cost("m1", 0.5, model="claude-haiku-4-5")]), host="ci").SerializeToString(),
    )
    await send(client, "/v1/logs", logs(api_request("e1", 0.25), host="laptop").SerializeToString())
    data = (await client.get("/api/costs", params={"group_by": group_by})).json()["data"]
    keys = {g["key"]: g["cost_usd"] for g in data["groups"]}
    expected = {
        "session": {"m1": 0.5, "e1": 0.25},
        "host": {"ci": 0.5, "laptop": 0.25},
        "model": {"claude-haiku-4-5": 0.5, "claude-sonnet-4-5": 0.25},
    }
    if group_by == "day":
        assert len(keys) == 1 and sum(keys.values()) == 0.75
        assert len(next(iter(keys))) == 10  # YYYY-MM-DD
    else:
        assert keys == expected[group_by]
    assert data["group_by"] == group_by and data["total"]["cost_usd"] == 0.75 and data["total"]["requests"] == 1


async def test_a_bad_group_by_is_400_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/costs", params={"group_by": "planet"})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and "group_by" in body["error"] and "planet" in body["error"]
    assert body["details"][0]["field"] == "group_by"
