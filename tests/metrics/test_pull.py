"""Pull sources against a real local HTTP server: mapping, the AI DAWG shape, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.checks import check_settings
from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.core.jsonpath import lookup
from jarvis.metrics.collector import source_job_name
from jarvis.metrics.sources import read
from jarvis.settings import MetricSourceConfig, Settings, SettingsError, load_settings
from tests.conftest import make_settings
from tests.metrics.fakeserver import JsonServer


@pytest.fixture
async def dawg() -> AsyncIterator[JsonServer]:
    async with JsonServer() as server:
        yield server


@pytest.fixture
async def mapped() -> AsyncIterator[JsonServer]:
    async with JsonServer() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, db_url: str, dawg: JsonServer, mapped: JsonServer) -> Settings:
    return make_settings(
        tmp_path,
        database_url=db_url,
        http={"retry_attempts": 2, "retry_base_delay_s": 0, "timeout_s": 2},
        metrics={
            "sources": [
                # The original AI DAWG module API, no map: its `testing` module is our automation.
                {"name": "dawg-testing", "url": dawg.url("/api/v1/modules/testing"), "module": "testing"},
                {
                    "name": "music-api",
                    "url": mapped.url("/stats"),
                    "module": "music",
                    "map": {"generations_today": "result.counts.today", "success_rate": "result.rates.0.value"},
                    "health_path": "result.state",
                    "uptime_path": "result.availability",
                    "headers_env": {"Authorization": "TEST_MUSIC_API_AUTH"},
                },
            ]
        },
    )


def module_of(body: dict[str, Any], module_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in body["data"]["modules"] if m["id"] == module_id)
    return found


DAWG_ANSWER = {
    "success": True,
    "data": {
        "name": "testing",
        "status": "healthy",
        "uptime": 99.5,
        "metrics": {"workflowsExecuted": 12, "error_rate": 0.5, "note": "text is skipped"},
    },
}


async def test_ai_dawg_module_shape_with_the_default_map(
    client: httpx.AsyncClient, ctx: AppContext, dawg: JsonServer, frozen_clock: FrozenClock
) -> None:
    dawg.answer(200, DAWG_ANSWER)
    events = ctx.hub.subscribe(["metrics.updated"])
    await ctx.runtime.run_once("metrics-source:dawg-testing")
    assert dawg.requests == ["GET /api/v1/modules/testing HTTP/1.1"]
    event = events.queue.get_nowait()
    assert event is not None and event.data["module"] == "automation"
    assert event.data["keys"] == ["error_rate", "workflows_executed"]

    automation = module_of((await client.get("/api/sections/business")).json(), "automation")
    assert automation["health"] == "healthy" and automation["uptime"] == 99.5
    assert automation["source"] == "dawg-testing" and automation["error"] is None
    assert automation["metrics"]["workflows_executed"]["value"] == 12
    assert automation["metrics"]["workflows_executed"]["updated_at"] == "2026-11-25T12:00:00Z"
    assert automation["metrics"]["error_rate"]["history"][-1] == 0.5
    assert automation["metrics"]["test_coverage"]["value"] is None

    series = (await client.get("/api/metrics/automation/workflows_executed?window=2h&step=1h")).json()["data"]
    assert series["points"][-1] == {"at": "2026-11-25T12:00:00Z", "avg": 12.0, "min": 12.0, "max": 12.0, "count": 1}


async def test_mapped_source_then_failure_keeps_data_with_its_age_and_shows_the_error(
    client: httpx.AsyncClient,
    ctx: AppContext,
    mapped: JsonServer,
    frozen_clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_MUSIC_API_AUTH", "Bearer s3cret")
    music_before = module_of((await client.get("/api/sections/business")).json(), "music")
    assert music_before["health"] == "unknown" and music_before["source"] == "music-api"

    mapped.answer(
        200,
        {"result": {"counts": {"today": 42}, "rates": [{"value": "97.5"}], "state": "degraded", "availability": 98}},
    )
    await ctx.runtime.run_once(source_job_name(ctx.settings.metrics.sources[1]))
    assert "authorization: bearer s3cret" in mapped.heads[0]  # header value read from the env var
    music = module_of((await client.get("/api/sections/business")).json(), "music")
    assert music["health"] == "degraded" and music["uptime"] == 98 and music["status"] == "active"
    assert music["metrics"]["generations_today"]["value"] == 42
    assert music["metrics"]["success_rate"]["value"] == 97.5

    frozen_clock.advance(600)
    mapped.answer(500, {"error": "boom"})
    await ctx.runtime.run_once("metrics-source:music-api")
    assert len(mapped.requests) == 3  # the failing poll was retried (retry_attempts = 2)
    music = module_of((await client.get("/api/sections/business")).json(), "music")
    assert music["health"] == "offline" and music["status"] == "error"
    assert music["error"] == "music-api: HTTP 500"
    assert music["metrics"]["generations_today"]["value"] == 42  # kept …
    assert music["metrics"]["generations_today"]["updated_at"] == "2026-11-25T12:00:00Z"  # … with its age

    mapped.answer(200, b"<html>not json</html>")
    await ctx.runtime.run_once("metrics-source:music-api")
    music = module_of((await client.get("/api/sections/business")).json(), "music")
    assert music["error"] == "music-api: the answer is not JSON"

    mapped.answer(200, {"result": {"counts": {"today": 50}, "state": "ok"}})
    await ctx.runtime.run_once("metrics-source:music-api")
    music = module_of((await client.get("/api/sections/business")).json(), "music")
    assert music["health"] == "healthy" and music["status"] == "active"
    assert music["metrics"]["generations_today"]["value"] == 50
    # A partial answer is used, and says what it lacked.
    assert music["error"] == "music-api: result.rates.0.value not found; result.availability not found"


async def test_a_closed_port_is_an_error_not_a_crash(tmp_path: Path, db_url: str, frozen_clock: FrozenClock) -> None:
    from jarvis.app import create_app
    from tests.conftest import free_port

    settings = make_settings(
        tmp_path,
        database_url=db_url,
        http={"retry_attempts": 1, "retry_base_delay_s": 0},
        metrics={"sources": [{"name": "gone", "url": f"http://127.0.0.1:{free_port()}/x", "module": "marketing"}]},
    )
    app = create_app(settings, run_jobs=False, migrate=False)
    async with app.router.lifespan_context(app):
        ctx: AppContext = app.state.ctx
        await ctx.runtime.run_once("metrics-source:gone")
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            marketing = module_of((await client.get("/api/sections/business")).json(), "marketing")
    assert marketing["health"] == "offline"
    assert marketing["error"] == "gone: connection refused or unreachable"
    assert marketing["metrics"]["users_today"]["value"] is None
    assert ctx.runtime.jobs["metrics-source:gone"].failures == 0


def test_json_paths_and_reading() -> None:
    document = {"a": {"b": [{"c": 1}]}}
    assert lookup(document, "a.b.0.c") == 1
    assert lookup(document, "$.a.b.0.c") == 1
    source = MetricSourceConfig(name="s", url="http://x/", module="music", map={"k": "a.b.0.c", "m": "a.missing"})
    reading = read(document, source)
    assert reading.values == {"k": 1.0} and reading.problems == ["a.missing not found"]
    assert reading.health is None and reading.uptime is None


@pytest.mark.parametrize(
    ("metrics", "problem"),
    [
        ({"sources": [{"name": "s", "url": "http://x/", "module": "nope"}]}, "unknown module 'nope'"),
        ({"sources": [{"name": "s", "url": "http://x/", "module": "music", "map": {"Bad": "a"}}]}, "key 'Bad'"),
        ({"modules": [{"id": "music", "name": "again"}]}, "custom module ids must be new"),
        ({"modules": [{"id": "ops", "name": "Ops", "keys": ["Bad Key"]}]}, "keys must match"),
    ],
)
def test_settings_refuse_bad_sources_and_modules(metrics: dict[str, Any], problem: str) -> None:
    with pytest.raises(SettingsError, match=problem):
        check_settings(load_settings({}, metrics=metrics))


async def test_custom_modules_from_settings(tmp_path: Path, db_url: str, frozen_clock: FrozenClock) -> None:
    from jarvis.app import create_app

    settings = make_settings(
        tmp_path,
        database_url=db_url,
        metrics={"modules": [{"id": "ops", "name": "Operations", "priority": 3, "keys": ["deploys"]}]},
    )
    app = create_app(settings, run_jobs=False, migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response = await client.post(
                "/api/metrics", json={"points": [{"module": "ops", "key": "deploys", "value": 3}]}
            )
            assert response.status_code == 201
            modules = (await client.get("/api/sections/business")).json()["data"]["modules"]
    assert [m["id"] for m in modules] == ["music", "marketing", "engagement", "ops", "automation", "intelligence"]
    assert modules[3]["name"] == "Operations" and modules[3]["metrics"]["deploys"]["value"] == 3
