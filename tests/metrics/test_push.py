"""Push API: validation naming the field (nothing stored), size bound, dashboard and series."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.metrics.models import MetricPoint


async def count_points(ctx: AppContext) -> int:
    async with ctx.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(MetricPoint)) or 0)


def module_of(body: dict[str, Any], module_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in body["data"]["modules"] if m["id"] == module_id)
    return found


async def test_empty_dashboard_reports_unknown_and_nulls_never_zeros(
    client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    body = (await client.get("/api/sections/business")).json()
    modules = body["data"]["modules"]
    assert [(m["id"], m["name"], m["priority"]) for m in modules] == [
        ("music", "Music Generation", 1),
        ("marketing", "Marketing & Strategy", 2),
        ("engagement", "User Engagement", 3),
        ("automation", "Workflow Automation", 4),
        ("intelligence", "Business Intelligence", 5),
    ]
    music = modules[0]
    assert music["health"] == "unknown" and music["uptime"] is None and music["updated_at"] is None
    assert music["status"] == "no_data" and music["source"] is None and music["error"] is None
    assert list(music["metrics"]) == [
        "generations_today",
        "success_rate",
        "avg_generation_time",
        "total_generations",
        "revenue",
    ]
    assert music["metrics"]["revenue"] == {"value": None, "updated_at": None, "history": [None] * 7}


async def test_pushed_points_appear_in_dashboard_history_and_series(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    # Now is 2026-11-25 12:00Z. Two days of values for one key, two points today.
    points = [
        {"module": "music", "key": "generations_today", "value": 10, "timestamp": "2026-11-23T20:00:00Z"},
        {"module": "music", "key": "generations_today", "value": 30, "timestamp": "2026-11-25T10:10:00Z"},
        {"module": "music", "key": "generations_today", "value": 50, "timestamp": "2026-11-25T10:40:00Z"},
        {"module": "music", "key": "custom_thing", "value": 1.5, "labels": {"region": "eu"}},
    ]
    subscription = ctx.hub.subscribe(["metrics.updated"])
    response = await client.post("/api/metrics", json={"points": points})
    assert response.status_code == 201, response.text
    assert response.json() == {"success": True, "data": {"accepted": 4}}
    event = subscription.queue.get_nowait()
    assert event is not None and event.data["count"] == 4 and event.data["modules"] == ["music"]

    music = module_of((await client.get("/api/sections/business")).json(), "music")
    generations = music["metrics"]["generations_today"]
    assert generations["value"] == 50
    assert generations["updated_at"] == "2026-11-25T10:40:00Z"
    assert generations["history"] == [None, None, None, None, 10, None, 50]  # last value of each day
    assert music["metrics"]["custom_thing"]["value"] == 1.5  # extra keys are shown after the declared ones
    assert music["metrics"]["success_rate"]["value"] is None
    assert music["health"] == "healthy" and music["status"] == "active" and music["source"] == "push"
    assert music["updated_at"] == "2026-11-25T12:00:00Z"
    assert module_of((await client.get("/api/sections/business")).json(), "marketing")["health"] == "unknown"

    series = (await client.get("/api/metrics/music/generations_today?window=1d&step=1h")).json()["data"]
    assert len(series["points"]) == 24
    ten = next(p for p in series["points"] if p["at"] == "2026-11-25T10:00:00Z")
    assert ten == {"at": "2026-11-25T10:00:00Z", "avg": 40.0, "min": 30.0, "max": 50.0, "count": 2}
    eleven = next(p for p in series["points"] if p["at"] == "2026-11-25T11:00:00Z")
    assert eleven == {"at": "2026-11-25T11:00:00Z", "avg": None, "min": None, "max": None, "count": 0}

    listing = (await client.get("/api/metrics")).json()["data"]["modules"]
    music_keys = {k["key"]: k for k in listing[0]["keys"]}
    assert music_keys["generations_today"]["value"] == 50 and music_keys["generations_today"]["source"] == "push"
    assert music_keys["custom_thing"]["declared"] is False


async def test_a_late_point_does_not_move_the_latest_value_back(
    client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    warm = module_of((await client.get("/api/sections/business")).json(), "music")  # now cached
    assert warm["metrics"]["revenue"]["value"] is None
    await client.post("/api/metrics", json={"points": [{"module": "music", "key": "revenue", "value": 9}]})
    # The write invalidated the cached section: the next read sees it.
    assert module_of((await client.get("/api/sections/business")).json(), "music")["metrics"]["revenue"]["value"] == 9
    old = {"module": "music", "key": "revenue", "value": 1, "timestamp": "2026-11-25T08:00:00Z"}
    assert (await client.post("/api/metrics", json={"points": [old]})).status_code == 201
    music = module_of((await client.get("/api/sections/business")).json(), "music")
    assert music["metrics"]["revenue"]["value"] == 9


GOOD = {"module": "music", "key": "revenue", "value": 1}


@pytest.mark.parametrize(
    ("point", "field", "problem"),
    [
        ({**GOOD, "module": "nope"}, "points[3].module", "is not a known module (known: music, marketing"),
        ({**GOOD, "key": "Bad-Key"}, "points[3].key", "should match pattern"),
        ({**GOOD, "key": "x" * 65}, "points[3].key", "at most 64"),
        ({**GOOD, "value": "12"}, "points[3].value", "must be a number"),
        ({**GOOD, "value": True}, "points[3].value", "must be a number"),
        ({**GOOD, "value": None}, "points[3].value", "must be a number"),
        ({**GOOD, "timestamp": "2026-11-26T12:00:00Z"}, "points[3].timestamp", "is in the future"),
        ({**GOOD, "timestamp": "2020-01-01T00:00:00Z"}, "points[3].timestamp", "is older than the 400-day"),
        ({**GOOD, "timestamp": "2026-11-25T10:00:00"}, "points[3].timestamp", "must carry a time zone"),
        ({**GOOD, "timestamp": "yesterday"}, "points[3].timestamp", "valid datetime"),
        ({**GOOD, "labels": {"a": 1}}, "points[3].labels.a", "valid string"),
        ({**GOOD, "labels": {"a": "x" * 201}}, "points[3].labels.a", "at most 200"),
        ({**GOOD, "labels": {f"k{i}": "v" for i in range(17)}}, "points[3].labels", "at most 16"),
        ({**GOOD, "extra": 1}, "points[3].extra", "is not a known field"),
        ({"key": "revenue", "value": 1}, "points[3].module", "is required"),
    ],
)
async def test_one_bad_point_rejects_the_batch_naming_it(
    client: httpx.AsyncClient,
    ctx: AppContext,
    frozen_clock: FrozenClock,
    point: dict[str, Any],
    field: str,
    problem: str,
) -> None:
    before = await count_points(ctx)
    response = await client.post("/api/metrics", json={"points": [GOOD, GOOD, GOOD, point]})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["success"] is False and body["code"] == "validation_error"
    assert body["details"][0]["field"] == field
    assert problem in body["details"][0]["problem"]
    assert field in body["error"]
    assert await count_points(ctx) == before


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"not json", "body"),
        (b"[]", "body"),
        (b"{}", "points"),
        (b'{"points": []}', "points"),
        (b'{"points": {}}', "points"),
        (b'{"points": [{"module": "music", "key": "revenue", "value": 1}], "more": 1}', "more"),
        (b'{"points": [5]}', "points[0]"),
        (b'{"points": [{"module": "music", "key": "revenue", "value": 1e400}]}', "body"),
    ],
)
async def test_malformed_bodies_name_the_field(
    client: httpx.AsyncClient, ctx: AppContext, raw: bytes, field: str
) -> None:
    response = await client.post("/api/metrics", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == field
    assert await count_points(ctx) == 0


async def test_a_batch_over_max_batch_is_413_and_stores_nothing(client: httpx.AsyncClient, ctx: AppContext) -> None:
    limit = ctx.settings.metrics.max_batch
    response = await client.post("/api/metrics", json={"points": [GOOD] * (limit + 1)})
    assert response.status_code == 413
    assert response.json()["details"] == [{"field": "points", "problem": f"has {limit + 1} points, more than {limit}"}]
    assert await count_points(ctx) == 0
    assert (await client.post("/api/metrics", json={"points": [GOOD] * limit})).status_code == 201
    assert await count_points(ctx) == limit


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("window=7x", "window"),
        ("window=0d", "window"),
        ("window=401d", "window"),
        ("step=abc", "step"),
        ("step=10s", "step"),
        ("window=1h&step=2h", "step"),
        ("window=30d&step=1m", "step"),
    ],
)
async def test_bad_window_or_step_is_400_naming_it(client: httpx.AsyncClient, query: str, field: str) -> None:
    response = await client.get(f"/api/metrics/music/revenue?{query}")
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == field


async def test_unknown_module_is_404_and_bad_key_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/metrics/nope/revenue")
    assert response.status_code == 404
    assert "music" in response.json()["error"]
    response = await client.get("/api/metrics/music/Bad-Key")
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "key"
