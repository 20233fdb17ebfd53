"""The services API through HTTP: list, create, patch, delete, check now, history, dashboard."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from jarvis.core.context import AppContext
from jarvis.health.models import CheckResult, ServiceRow
from jarvis.health.scheduler import HealthScheduler
from jarvis.health.service import overall
from tests.health.servers import Peer


async def rows(ctx: AppContext, model: Any = ServiceRow) -> int:
    async with ctx.db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_list_has_defaults_and_config_services(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/services")
    assert response.status_code == 200
    services = {s["name"]: s for s in response.json()["data"]["services"]}
    assert services["jarvis-dashboard"]["source"] == "default"
    assert services["jarvis-dashboard"]["kind"] == "self"
    assert services["good"]["source"] == "config" and services["good"]["status"] == "unknown"
    assert services["good"]["uptime"] == {"24h": None, "7d": None, "30d": None}


async def test_create_check_and_read_back(
    client: httpx.AsyncClient, ctx: AppContext, peer: Peer, scheduler: HealthScheduler
) -> None:
    body = {"name": "api-one", "url": f"{peer.url}/json", "json_path": "status", "json_equals": "ok"}
    response = await client.post("/api/services", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["source"] == "api"
    assert "api-one" in scheduler.services  # scheduled live, no restart
    assert await rows(ctx) == 1

    events = ctx.hub.subscribe(["health.changed"])
    checked = await client.post("/api/services/api-one/check")
    assert checked.status_code == 200
    result = checked.json()["data"]
    assert (result["service"], result["status"], result["http_status"]) == ("api-one", "healthy", 200)
    event = events.queue.get_nowait()
    assert event is not None and event.data["from"] == "unknown" and event.data["to"] == "healthy"
    assert await rows(ctx, CheckResult) == 1

    one = (await client.get("/api/services/api-one")).json()["data"]
    assert one["status"] == "healthy" and one["last_change"] == result["at"]
    assert one["uptime"]["24h"] == 100.0 and one["latency_p50_ms"] is not None
    section = (await client.get("/api/sections/health")).json()["data"]
    shown = {s["name"]: s for s in section["services"]}
    assert shown["api-one"]["status"] == "healthy"
    assert shown["api-one"]["recent"][0]["status"] == "healthy"
    assert set(section) == {"overall", "services", "collector_error", "timestamp"}
    assert section["overall"] == "healthy"  # the only service checked so far


BAD_BODIES = [
    ({"name": "Bad Name", "url": "http://x/"}, "name"),
    ({"name": "x", "kind": "udp", "url": "http://x/"}, "kind"),
    ({"name": "x"}, "url"),
    ({"name": "x", "url": "ftp://x/"}, "url"),
    ({"name": "x", "kind": "tcp", "host": "h"}, "port"),
    ({"name": "x", "url": "http://x/", "colour": "red"}, "colour"),
    ({"name": "x", "url": "http://x/", "expect_status": [999]}, "expect_status"),
    ({"name": "x", "url": "http://x/", "interval_s": 0}, "interval_s"),
    ({"url": "http://x/"}, "name"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
async def test_create_rejects_bad_input_and_changes_nothing(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler, body: dict[str, Any], field: str
) -> None:
    await client.get("/api/services")
    before = set(scheduler.services)
    response = await client.post("/api/services", json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["success"] is False and error["code"] == "validation_error"
    assert field in [d["field"] for d in error["details"]]
    assert await rows(ctx) == 0 and set(scheduler.services) == before


@pytest.mark.parametrize("name", ["good", "jarvis-dashboard"])
async def test_duplicate_names_conflict(client: httpx.AsyncClient, ctx: AppContext, name: str) -> None:
    response = await client.post("/api/services", json={"name": name, "url": "http://127.0.0.1:9/"})
    assert response.status_code == 409
    assert response.json()["details"] == [{"field": "name", "problem": "already exists"}]
    assert await rows(ctx) == 0


async def test_second_create_with_the_same_name_conflicts(client: httpx.AsyncClient, ctx: AppContext) -> None:
    body = {"name": "twice", "url": "http://127.0.0.1:9/"}
    assert (await client.post("/api/services", json=body)).status_code == 201
    assert (await client.post("/api/services", json={**body, "interval_s": 5})).status_code == 409
    assert await rows(ctx) == 1


async def test_patch_updates_the_schedule_live(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler
) -> None:
    await client.post("/api/services", json={"name": "p", "url": "http://127.0.0.1:9/"})
    generation = scheduler.services["p"].generation
    response = await client.patch("/api/services/p", json={"interval_s": 5, "body_contains": "ok"})
    assert response.status_code == 200
    assert response.json()["data"]["config"]["body_contains"] == "ok"
    live = scheduler.services["p"]
    assert live.spec.interval_s == 5 and live.generation != generation
    async with ctx.db.sessions() as session:
        row = await session.get(ServiceRow, "p")
        assert row is not None and row.config["interval_s"] == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "other"}, "name"), ({"interval_s": -1}, "interval_s"), ({"kind": "tcp"}, "port"), ({"x": 1}, "x")],
)
async def test_patch_rejects_bad_input_and_changes_nothing(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler, body: dict[str, Any], field: str
) -> None:
    await client.post("/api/services", json={"name": "p", "url": "http://127.0.0.1:9/"})
    response = await client.patch("/api/services/p", json=body)
    assert response.status_code == 400, response.text
    assert field in [d["field"] for d in response.json()["details"]]
    config = scheduler.services["p"].spec.config
    assert config is not None and config.kind == "http" and config.interval_s == 30
    async with ctx.db.sessions() as session:
        row = await session.get(ServiceRow, "p")
        assert row is not None and row.config["interval_s"] == 30 and row.config["kind"] == "http"


@pytest.mark.parametrize("name", ["good", "jarvis-dashboard"])
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_config_and_default_services_cannot_change_through_the_api(
    client: httpx.AsyncClient, scheduler: HealthScheduler, method: str, name: str
) -> None:
    await client.get("/api/services")
    before = scheduler.services[name].spec
    response = await client.request(
        method, f"/api/services/{name}", json={"interval_s": 5} if method == "PATCH" else None
    )
    assert response.status_code == 409
    assert "edit jarvis.toml" in response.json()["error"]
    assert scheduler.services[name].spec is before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/services/nope"),
        ("PATCH", "/api/services/nope"),
        ("DELETE", "/api/services/nope"),
        ("POST", "/api/services/nope/check"),
        ("GET", "/api/services/nope/history"),
    ],
)
async def test_unknown_service_is_404(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={} if method == "PATCH" else None)
    assert response.status_code == 404
    assert response.json()["details"] == [{"field": "name", "problem": "unknown"}]


async def test_delete_stops_watching_and_drops_history(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler, peer: Peer
) -> None:
    await client.post("/api/services", json={"name": "gone", "url": f"{peer.url}/ok"})
    await client.post("/api/services/gone/check")
    assert await rows(ctx, CheckResult) == 1
    response = await client.delete("/api/services/gone")
    assert response.json() == {"success": True, "data": {"deleted": "gone"}}
    assert "gone" not in scheduler.services
    assert await rows(ctx) == 0 and await rows(ctx, CheckResult) == 0
    assert (await client.get("/api/services/gone")).status_code == 404


async def test_history_rejects_a_bad_window(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/services/good/history", params={"window": "1y"})
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "window"


async def test_history_24h_has_points_uptime_and_failures(client: httpx.AsyncClient) -> None:
    for name in ("good", "error", "good"):
        await client.post(f"/api/services/{name}/check")
    good = (await client.get("/api/services/good/history")).json()["data"]
    assert (good["window"], good["resolution"], good["checks"], good["uptime"]) == ("24h", "raw", 2, 100.0)
    assert [p["status"] for p in good["points"]] == ["healthy", "healthy"]
    assert good["latency_p50_ms"] is not None and good["recent_failures"] == []
    bad = (await client.get("/api/services/error/history", params={"window": "7d"})).json()["data"]
    assert (bad["resolution"], bad["uptime"], bad["latency_p50_ms"]) == ("1h", 0.0, None)
    assert bad["recent_failures"][0]["error"] == "HTTP 500"
    assert bad["points"][0]["count"] == 1 and bad["points"][0]["uptime"] == 0.0


def test_overall_status_rules() -> None:
    assert overall([]) == "unknown"
    assert overall(["unknown", "unknown"]) == "unknown"
    assert overall(["healthy", "healthy", "unknown"]) == "healthy"
    assert overall(["healthy", "degraded"]) == "degraded"
    assert overall(["healthy", "offline"]) == "degraded"
    assert overall(["offline", "offline"]) == "offline"
    assert overall(["degraded", "offline"]) == "degraded"


async def test_an_api_service_cannot_send_a_secret_that_is_not_allowed(
    client: httpx.AsyncClient, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack run made a service send OPENAI_API_KEY to a URL of its choosing."""
    body = {"name": "exfil", "url": "http://127.0.0.1:9/", "headers_env": {"X-Key": "OPENAI_API_KEY"}}
    response = await client.post("/api/services", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == "headers_env.X-Key"
    assert "secret_env_allow" in response.json()["error"]
    bearer = await client.post(
        "/api/services", json={"name": "exfil", "url": "http://127.0.0.1:9/", "bearer_env": "HOME"}
    )
    assert bearer.status_code == 400 and bearer.json()["details"][0]["field"] == "bearer_env"
    assert all(s["name"] != "exfil" for s in (await client.get("/api/services")).json()["data"]["services"])
    monkeypatch.setattr(ctx.settings.server, "secret_env_allow", ["SHOP_API_TOKEN"])
    allowed = {"name": "shop", "url": "http://127.0.0.1:9/", "bearer_env": "SHOP_API_TOKEN"}
    assert (await client.post("/api/services", json=allowed)).status_code == 201
    patched = await client.patch("/api/services/shop", json={"headers_env": {"X-Key": "OPENAI_API_KEY"}})
    assert patched.status_code == 400 and patched.json()["details"][0]["field"] == "headers_env.X-Key"
