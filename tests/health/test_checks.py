"""Each check kind against a real local peer: every misbehaviour ends as the right status."""

from __future__ import annotations

import time
from typing import Any

import pytest

from jarvis.core.context import AppContext
from jarvis.core.jsonpath import lookup as json_lookup
from jarvis.health.checks import body_problem, policy_for, run_check
from jarvis.health.specs import ServiceSpec, defaults, from_config
from jarvis.settings import ServiceConfig
from jarvis.web.charts import latency_chart
from tests.conftest import make_settings
from tests.health.servers import TOKEN, Peer


def spec(**fields: Any) -> ServiceSpec:
    return from_config(ServiceConfig(**{"name": "svc", **fields}), "api")


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/ok", "healthy", None),
        ("/slow", "degraded", "slow: "),
        ("/error", "offline", "HTTP 500"),
        ("/hang", "offline", "timed out"),
        ("/redirect", "offline", "too many redirects"),
        ("/huge", "offline", "body larger than"),
        ("/garbage", "offline", ""),
        ("/degraded", "degraded", "answered HTTP 207"),
        ("/missing", "offline", "unexpected HTTP 404 (expected 200)"),
    ],
)
async def test_http_statuses(ctx: AppContext, peer: Peer, path: str, status: str, error: str | None) -> None:
    service = spec(url=f"{peer.url}{path}", degraded_over_ms=150, degraded_status=[207])
    started = time.perf_counter()
    outcome = await run_check(ctx, service)
    assert outcome.status == status, outcome
    if error is None:
        assert outcome.error is None
    else:
        assert outcome.error is not None and error in outcome.error
    assert outcome.latency_ms is not None
    # Cut off by the timeout (1 s) or the size cap, never longer.
    assert time.perf_counter() - started < 3.0


async def test_closed_port_is_offline(ctx: AppContext, closed_port: int) -> None:
    outcome = await run_check(ctx, spec(url=f"http://127.0.0.1:{closed_port}/"))
    assert outcome.status == "offline"
    assert outcome.error == "connection refused or unreachable"


async def test_success_after_a_retry_is_degraded(ctx: AppContext, peer: Peer) -> None:
    outcome = await run_check(ctx, spec(url=f"{peer.url}/flaky/a", retries=1, retry_base_delay_s=0))
    assert (outcome.status, outcome.attempts, outcome.error) == ("degraded", 2, "succeeded after 2 attempts")
    assert peer.calls["/flaky/a"] == 2


async def test_latency_is_one_attempts_answer_time_not_the_back_off(ctx: AppContext, peer: Peer) -> None:
    """A 500 answered at once showed "5,028 ms" (three attempts and their waits added up)."""
    failed = await run_check(ctx, spec(url=f"{peer.url}/error", retries=2, retry_base_delay_s=0.3))
    assert failed.status == "offline" and failed.attempts == 3 and failed.http_status == 500
    assert failed.latency_ms is not None and failed.latency_ms < 250  # the back-off alone is >= 0.6 s
    recovered = await run_check(ctx, spec(url=f"{peer.url}/flaky/b", retries=1, retry_base_delay_s=0.3))
    assert recovered.status == "degraded" and recovered.attempts == 2
    assert recovered.latency_ms is not None and recovered.latency_ms < 250


def test_the_latency_chart_draws_answers_only() -> None:
    """A failed check is a red mark under the line, not a spike of its time-out."""
    points = [
        {"at": "2026-11-25T10:00:00Z", "status": "healthy", "latency_ms": 12},
        {"at": "2026-11-25T10:01:00Z", "status": "offline", "latency_ms": 10_884},
        {"at": "2026-11-25T10:02:00Z", "status": "healthy", "latency_ms": 14},
    ]
    svg = str(latency_chart(points))
    assert "highest 14 ms" in svg and "10884" not in svg and "10,884" not in svg


async def test_retries_are_bounded(ctx: AppContext, peer: Peer) -> None:
    outcome = await run_check(ctx, spec(url=f"{peer.url}/error", retries=2, retry_base_delay_s=0))
    assert outcome.status == "offline" and outcome.attempts == 3
    assert peer.calls["/error"] == 3


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"json_path": "status", "json_equals": "ok"}, "healthy", None),
        ({"json_path": "data.items.0.state", "json_equals": "up"}, "healthy", None),
        ({"json_path": "status", "json_equals": "down"}, "offline", "`status` is not 'down'"),
        ({"json_path": "data.nothing"}, "offline", "`data.nothing` is not in the body"),
        ({"body_contains": '"ok"'}, "healthy", None),
        ({"body_contains": "banana"}, "offline", "body does not contain 'banana'"),
    ],
)
async def test_body_conditions(
    ctx: AppContext, peer: Peer, fields: dict[str, Any], status: str, error: str | None
) -> None:
    outcome = await run_check(ctx, spec(url=f"{peer.url}/json", **fields))
    assert (outcome.status, outcome.error) == (status, error)


async def test_json_condition_on_a_non_json_body(ctx: AppContext, peer: Peer) -> None:
    outcome = await run_check(ctx, spec(url=f"{peer.url}/slow", json_path="status", degraded_over_ms=5000))
    assert (outcome.status, outcome.error) == ("offline", "body is not valid JSON")


async def test_bearer_token_and_headers_come_from_env(
    ctx: AppContext, peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEALTH_TEST_TOKEN", raising=False)
    without = await run_check(ctx, spec(url=f"{peer.url}/auth", bearer_env="HEALTH_TEST_TOKEN"))
    assert (without.status, without.http_status) == ("offline", 401)
    monkeypatch.setenv("HEALTH_TEST_TOKEN", TOKEN)
    with_token = await run_check(ctx, spec(url=f"{peer.url}/auth", bearer_env="HEALTH_TEST_TOKEN"))
    assert (with_token.status, with_token.http_status) == ("healthy", 200)
    monkeypatch.setenv("HEALTH_TEST_HEADER", f"Bearer {TOKEN}")
    by_header = await run_check(ctx, spec(url=f"{peer.url}/auth", headers_env={"Authorization": "HEALTH_TEST_HEADER"}))
    assert by_header.status == "healthy"


async def test_tcp_connect(ctx: AppContext, peer: Peer, closed_port: int) -> None:
    up = await run_check(ctx, spec(kind="tcp", host="127.0.0.1", port=peer.port))
    assert (up.status, up.http_status, up.error) == ("healthy", None, None)
    down = await run_check(ctx, spec(kind="tcp", host="127.0.0.1", port=closed_port))
    assert down.status == "offline" and down.error is not None


async def test_self_check_pings_the_database(ctx: AppContext) -> None:
    outcome = await run_check(ctx, defaults(ctx.settings)[0])
    assert outcome.status == "healthy" and outcome.latency_ms is not None


def test_defaults_follow_the_seed(tmp_path: Any) -> None:
    bare = defaults(make_settings(tmp_path))
    assert [s.name for s in bare] == ["jarvis-dashboard"]
    settings = make_settings(
        tmp_path, upstream={"jarvis_api_url": "http://localhost:4000/", "ai_dawg_api_url": "http://localhost:3001"}
    )
    specs = {s.name: s for s in defaults(settings)}
    assert specs["jarvis-control-plane"].target == "http://localhost:4000/health"
    control = specs["jarvis-control-plane"].config
    assert control is not None and control.bearer_env == "JARVIS_AUTH_TOKEN" and control.degraded_status == [207]
    assert specs["ai-dawg"].target == "http://localhost:3001/api/v1/jarvis/desktop/health"


async def test_control_plane_default_uses_the_token_and_reads_207_as_degraded(
    ctx: AppContext, peer: Peer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JARVIS_AUTH_TOKEN", TOKEN)
    settings = make_settings(tmp_path, upstream={"jarvis_api_url": f"{peer.url}/cp"})
    control = {s.name: s for s in defaults(settings)}["jarvis-control-plane"]
    outcome = await run_check(ctx, control)
    assert (outcome.status, outcome.http_status) == ("healthy", 200)
    settings = make_settings(tmp_path, upstream={"jarvis_api_url": f"{peer.url}/cp207"})
    control = {s.name: s for s in defaults(settings)}["jarvis-control-plane"]
    outcome = await run_check(ctx, control)
    assert (outcome.status, outcome.http_status, outcome.error) == ("degraded", 207, "answered HTTP 207")


def test_policy_uses_settings_then_service_overrides(tmp_path: Any) -> None:
    settings = make_settings(tmp_path, http={"timeout_s": 4, "retry_attempts": 3, "retry_base_delay_s": 0.5})
    default = policy_for(spec(url="http://x/"), settings)
    assert (default.timeout_s, default.attempts, default.base_delay_s) == (4, 3, 0.5)
    own = policy_for(spec(url="http://x/", timeout_s=1, retries=0, retry_base_delay_s=0, interval_s=10), settings)
    assert (own.timeout_s, own.attempts, own.base_delay_s, own.budget_s) == (1, 1, 0, 1)
    # A check never outlives its interval.
    assert policy_for(spec(url="http://x/", timeout_s=20, retries=5, interval_s=30), settings).budget_s == 30


def test_json_lookup_and_body_problem() -> None:
    assert json_lookup({"a": [{"b": 1}]}, "a.0.b") == 1
    config = ServiceConfig(name="x", url="http://x/", json_path="a.5")
    assert body_problem(config, b'{"a": []}') == "`a.5` is not in the body"
