"""Maintenance windows: one-off and recurring; during one no alert goes out and uptime does not count it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.health import maintenance
from jarvis.health.checks import Outcome
from jarvis.health.scheduler import HealthScheduler

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def window(**fields: Any) -> maintenance.Window:
    base: dict[str, Any] = {"id": 1, "services": (), "starts_at": None, "ends_at": None, "cron": None}
    return maintenance.Window(**{**base, "duration_s": None, "reason": None, **fields})


def test_one_off_and_recurring_windows() -> None:
    one_off = window(services=("shop",), starts_at=T0, ends_at=T0 + timedelta(hours=1))
    assert one_off.active_until(T0) == T0 + timedelta(hours=1) and one_off.active_until(T0 + timedelta(hours=1)) is None
    assert not one_off.covers("billing") and window().covers("billing")  # empty: every service
    sundays = window(cron="0 3 * * 0", duration_s=7200)  # 2026-11-29 is a Sunday
    sunday = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    assert sundays.active_until(sunday) == sunday + timedelta(hours=2)
    assert sundays.active_until(sunday + timedelta(minutes=119)) == sunday + timedelta(hours=2)
    assert sundays.active_until(sunday + timedelta(hours=2)) is None
    assert sundays.active_until(sunday - timedelta(seconds=1)) is None
    assert maintenance.active_for([one_off, sundays], "shop", T0) == T0 + timedelta(hours=1)


async def test_during_a_window_nothing_is_stored_and_no_alert_goes_out(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler, frozen_clock: FrozenClock
) -> None:
    await scheduler.ensure_loaded()
    now = frozen_clock.current
    body = {"services": ["good"], "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat()}
    created = await client.post("/api/maintenance", json={**body, "reason": "database upgrade"})
    assert created.status_code == 201, created.text
    assert created.json()["data"]["active"] is True
    sent: list[dict[str, Any]] = []
    scheduler._deliver = sent.append  # type: ignore[method-assign]
    for minute in range(5):
        scheduler.record("good", Outcome(now + timedelta(minutes=minute), "offline", None, error="refused"))
    assert sent == [] and scheduler._pending == []  # no alert, nothing counted against uptime
    shown = (await client.get("/api/services/good")).json()["data"]
    assert shown["status"] == "offline" and shown["maintenance_until"] is not None
    later = now + timedelta(hours=1, minutes=1)
    for minute in range(3):
        scheduler.record("good", Outcome(later + timedelta(minutes=minute), "offline", None, error="refused"))
    assert [m["event"] for m in sent] == ["service.down"] and len(scheduler._pending) == 3  # after it: as usual
    listed = (await client.get("/api/maintenance")).json()["data"]["windows"]
    assert [(w["reason"], w["services"]) for w in listed] == [("database upgrade", ["good"])]
    window_id = listed[0]["id"]
    assert (await client.delete(f"/api/maintenance/{window_id}")).status_code == 200
    assert (await client.get("/api/maintenance")).json()["data"]["windows"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"services": ["nope"], "cron": "0 3 * * 0", "duration_s": 3600}, "services.0"),
        ({"cron": "every sunday", "duration_s": 3600}, "cron"),
        ({"cron": "0 3 * * 0"}, "body"),
        ({"cron": "0 3 * * 0", "duration_s": 10}, "duration_s"),
        ({"starts_at": "2026-12-06T04:00:00Z", "ends_at": "2026-12-06T02:00:00Z"}, "ends_at"),
        ({"starts_at": "2026-12-06T02:00:00", "ends_at": "2026-12-06T04:00:00Z"}, "starts_at"),
        ({"starts_at": "2026-12-06T02:00:00Z", "ends_at": "2026-12-06T04:00:00Z", "cron": "0 3 * * 0"}, "body"),
    ],
)
async def test_bad_windows_are_400_naming_the_field_and_store_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/maintenance", json=body)
    assert response.status_code == 400, response.text
    assert field in [d["field"] for d in response.json()["details"]]
    assert (await client.get("/api/maintenance")).json()["data"]["windows"] == []


async def test_an_overlapping_window_for_the_same_service_is_409(client: httpx.AsyncClient) -> None:
    first = {"services": ["good"], "starts_at": "2026-12-06T02:00:00Z", "ends_at": "2026-12-06T04:00:00Z"}
    assert (await client.post("/api/maintenance", json=first)).status_code == 201
    clash = {"services": [], "starts_at": "2026-12-06T03:00:00Z", "ends_at": "2026-12-06T05:00:00Z"}
    response = await client.post("/api/maintenance", json=clash)
    assert response.status_code == 409 and response.json()["details"][0]["field"] == "starts_at"
    apart = {"services": ["good"], "starts_at": "2026-12-06T04:00:00Z", "ends_at": "2026-12-06T05:00:00Z"}
    assert (await client.post("/api/maintenance", json=apart)).status_code == 201  # touching is fine


async def test_a_paused_service_is_not_checked_until_resumed_even_after_a_restart(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler
) -> None:
    await scheduler.ensure_loaded()
    paused = await client.post("/api/services/good/pause")
    assert paused.status_code == 200 and paused.json()["data"]["paused_at"] is not None
    live = scheduler.services["good"]
    await scheduler._scheduled(live, 0)
    assert live.last_checked is None and scheduler._pending == []  # its turn passed: nothing checked
    assert (await client.get("/api/services/good")).json()["data"]["paused_at"] is not None
    fresh = HealthScheduler(ctx, scheduler.static)  # what a restart loads
    await fresh.ensure_loaded()
    assert fresh.services["good"].paused_at is not None
    assert (await client.post("/api/services/good/resume")).json()["data"]["paused_at"] is None
    await scheduler._scheduled(live, 0)
    assert live.last_checked is not None  # checked again
    assert (await client.post("/api/services/nope/pause")).status_code == 404
