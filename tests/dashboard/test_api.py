"""The seed's dashboard API: envelope, /health, cache endpoints, errors, limits."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from jarvis.app import create_app
from jarvis.core.context import AppContext
from tests.conftest import make_settings

SECTIONS = ["instances", "business", "health", "financial", "waves"]


async def test_health_keeps_the_seed_flat_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["service"] == "jarvis-dashboard-api"
    assert body["version"] == "0.1.0"
    assert isinstance(body["uptime_s"], float)
    assert body["timestamp"].endswith("Z")
    assert set(body["cache"]) >= {"hits", "misses", "hit_ratio", "size", "keys", "stale_serves"}


async def test_overview_has_every_section_in_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/dashboard/overview")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["success"] is True
    assert set(body["data"]) >= {*SECTIONS, "timestamp"}


@pytest.mark.parametrize("section", SECTIONS)
async def test_each_section_endpoint(client: httpx.AsyncClient, section: str) -> None:
    response = await client.get(f"/api/dashboard/{section}")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    # The seed's shapes (tests/contract pins them): waves a list, business keyed by module.
    if section == "waves":
        assert isinstance(body["data"], list)
    elif section == "business":
        assert set(body["data"]) == {"music", "marketing", "engagement", "automation", "intelligence"}
    else:
        assert "timestamp" in body["data"]


async def test_reads_are_cached_and_counted(client: httpx.AsyncClient, ctx: AppContext) -> None:
    await client.post("/api/cache/clear")
    before = ctx.cache.snapshot()
    for _ in range(5):
        await client.get("/api/dashboard/waves")
    after = (await client.get("/api/cache/stats")).json()["data"]
    assert after["misses"] - before["misses"] == 1
    assert after["hits"] - before["hits"] == 4
    assert "dashboard:waves" in after["keys"]


async def test_cache_clear_all_or_one_key(client: httpx.AsyncClient) -> None:
    await client.get("/api/dashboard/overview")
    stats = (await client.get("/api/cache/stats")).json()["data"]
    assert "dashboard:health" in stats["keys"]
    response = await client.post("/api/cache/clear", json={"key": "dashboard:health"})
    assert response.json() == {
        "success": True,
        "message": "Cache key 'dashboard:health' cleared",
        "data": {"cleared": 1, "key": "dashboard:health"},
    }
    keys = (await client.get("/api/cache/stats")).json()["data"]["keys"]
    assert "dashboard:health" not in keys and "dashboard:waves" in keys
    response = await client.post("/api/cache/clear")
    assert response.json()["data"]["cleared"] >= 1 and response.json()["message"] == "All cache cleared"
    assert (await client.get("/api/cache/stats")).json()["data"]["keys"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({"key": 5}, "key"), ({"key": "x" * 201}, "key"), ({"nope": 1}, "nope")],
)
async def test_cache_clear_bad_input_names_the_field_and_clears_nothing(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    await client.get("/api/dashboard/overview")
    size = (await client.get("/api/cache/stats")).json()["data"]["size"]
    response = await client.post("/api/cache/clear", json=body)
    assert response.status_code == 400
    error = response.json()
    assert error["success"] is False and error["code"] == "validation_error"
    assert error["details"][0]["field"] == field
    assert field in error["error"]
    assert error["request_id"] == response.headers["x-request-id"]
    assert (await client.get("/api/cache/stats")).json()["data"]["size"] == size


async def test_non_json_body_is_a_clear_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/cache/clear", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["details"][0] == {"field": "body", "problem": "is not valid JSON"}


async def test_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/cache/clear", content=b"x" * (1024 * 1024 + 1), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "1024 KiB" in response.json()["error"]


async def test_unknown_path_and_method_use_the_envelope(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/nope")
    assert missing.status_code == 404 and missing.json()["success"] is False
    wrong = await client.delete("/api/cache/stats")
    assert wrong.status_code == 405 and "DELETE" in wrong.json()["error"]


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    made = [(await client.get("/health", headers={"x-request-id": "<bad id>"})).headers["x-request-id"] for _ in "ab"]
    assert made[0] != made[1]  # a fresh id for each request that brought none usable
    assert all(len(rid) == 22 and int(rid, 16) >= 0 for rid in made)


async def test_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_openapi_documents_the_seed_endpoints(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in [
        "/health",
        "/api/dashboard/overview",
        "/api/dashboard/stream",
        "/api/stream",
        "/api/events",
        "/api/cache/stats",
        "/api/cache/clear",
        *[f"/api/dashboard/{s}" for s in SECTIONS],
    ]:
        assert path in paths, path
    assert (await client.get("/docs")).status_code == 200


async def test_rate_limit_answers_429_with_the_limit(tmp_path: Path, sqlite_template: Path) -> None:
    import shutil

    target = tmp_path / "data" / "jarvis.db"
    target.parent.mkdir(parents=True)
    shutil.copy(sqlite_template, target)
    settings = make_settings(
        tmp_path,
        database_url=f"sqlite+aiosqlite:///{target}",
        rate_limit={"enabled": True, "max_requests": 3, "window_minutes": 1},
    )
    application = create_app(settings, run_jobs=False, migrate=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            codes = [(await http.get("/api/cache/stats")).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            limited = await http.get("/api/cache/stats")
            assert "3 per 1 minutes" in limited.json()["error"]
            assert (await http.get("/api/dashboard/overview")).status_code == 429  # the fast path counts too
            assert (await http.get("/health")).status_code == 200  # not an /api route


async def test_docs_api_lists_every_documented_endpoint(client: httpx.AsyncClient) -> None:
    """docs/api.md is the overview users read; an endpoint added to the app must appear there."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    paths = (await client.get("/openapi.json")).json()["paths"]
    missing = [path for path in paths if f"`{path}`" not in text]
    assert missing == []


async def test_cors_origins_apply_to_the_fast_reads_too(tmp_path: Path, sqlite_template: Path) -> None:
    import shutil

    target = tmp_path / "data" / "jarvis.db"
    target.parent.mkdir(parents=True)
    shutil.copy(sqlite_template, target)
    settings = make_settings(
        tmp_path, database_url=f"sqlite+aiosqlite:///{target}", server={"cors_origins": ["https://ops.example"]}
    )
    application = create_app(settings, run_jobs=False, migrate=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            allowed = await http.get("/api/dashboard/overview", headers={"origin": "https://ops.example"})
            other = await http.get("/api/dashboard/overview", headers={"origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://ops.example"
    assert "access-control-allow-origin" not in other.headers
    assert allowed.headers["x-request-id"] and allowed.json()["success"] is True


async def test_an_over_long_event_filter_is_refused_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/events", params={"types": "x" * 2001})
    assert response.status_code == 400
    assert response.json()["details"] == [{"field": "types", "problem": "too long"}]


async def test_a_failing_section_with_nothing_cached_is_a_500_envelope(
    app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jarvis.dashboard import sections

    async def broken(ctx: AppContext) -> dict[str, object]:
        raise RuntimeError("database unreachable")

    monkeypatch.setitem(sections.BUILDERS, "waves", broken)
    # As a real server does: the app answers the 500, then re-raises for the server's log.
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1), raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        response = await http.get("/api/dashboard/waves")
    assert response.status_code == 500
    body = response.json()
    assert body["success"] is False and body["request_id"] == response.headers["x-request-id"]
    assert "database unreachable" not in body["error"]  # no internals in error bodies
    assert "script-src 'self'" in response.headers["content-security-policy"]
