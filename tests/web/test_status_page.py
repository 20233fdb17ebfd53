"""The public status page and badges: off by default; when on, open to anyone, showing chosen names, status,
90 days of uptime and incidents, and nothing of the checks (no target, no error text)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.app import create_app
from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.health.checks import Outcome
from jarvis.health.scheduler import SCHEDULER
from tests.conftest import make_settings

SECRET_TARGET = "http://10.1.2.3:8080/internal-health"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Any:
    services = [{"name": "shop-api", "url": SECRET_TARGET}, {"name": "billing", "url": SECRET_TARGET}]
    status_page = {"enabled": True, "title": "Acme status", "services": ["shop-api"], "labels": {"shop-api": "Shop"}}
    return make_settings(tmp_path, database_url=db_url, services=services, status_page=status_page)


def remote(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A visitor from elsewhere, with no account and no token."""
    app = client._transport.app  # type: ignore[attr-defined]
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 4000)), base_url="http://127.0.0.1"
    )


async def test_anyone_sees_names_status_and_uptime_but_no_internals(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    scheduler = ctx.extras[SCHEDULER]
    await scheduler.ensure_loaded()
    for minutes in range(4):
        at = frozen_clock.current - timedelta(minutes=4 - minutes)
        status = "healthy" if minutes < 3 else "offline"
        scheduler.record("shop-api", Outcome(at, status, 12.0, 500, "HTTP 500 from 10.1.2.3"))  # type: ignore[arg-type]
    await scheduler.flush()
    visitor = remote(client)
    page = await visitor.get("/status")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Acme status" in text and "Shop" in text and "Some services are down." in text
    assert "75.0 % uptime" in text  # 3 of 4 checks today
    assert "billing" not in text  # not listed
    assert "10.1.2.3" not in text and "internal-health" not in text and "HTTP 500" not in text
    assert "shop-api" not in text  # the chosen label, not the internal name
    assert (await visitor.get("/api/services")).status_code == 401  # the rest stays closed
    badge = await visitor.get("/status/badge/shop-api.svg")
    assert badge.status_code == 200 and badge.headers["content-type"] == "image/svg+xml"
    assert "Shop: down" in badge.text
    assert (await visitor.get("/status/badge/billing.svg")).status_code == 404
    await visitor.aclose()


async def test_maintenance_shows_as_planned_not_as_an_incident(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    now = frozen_clock.current
    window = {"services": ["shop-api"], "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=2)).isoformat()}
    assert (await client.post("/api/maintenance", json=window)).status_code == 201
    scheduler = ctx.extras[SCHEDULER]
    scheduler.record("shop-api", Outcome(now, "offline", None, error="deploying"))  # type: ignore[arg-type]
    text = (await client.get("/status")).text
    assert "Shop</strong> is under planned maintenance until" in text and "Current incidents" not in text


async def test_off_by_default(tmp_path: Path, db_url: str) -> None:
    app = create_app(make_settings(tmp_path, database_url=db_url), run_jobs=False, migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response = await client.get("/status", headers={"accept": "application/json"})
    assert response.status_code == 404 and "[status_page] enabled" in response.json()["error"]
