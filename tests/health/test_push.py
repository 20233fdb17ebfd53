"""Push monitors: a secret URL handed out once; pings are results; silence beyond interval + grace is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.health.models import ServiceRow
from jarvis.health.push import overdue
from jarvis.health.scheduler import HealthScheduler
from jarvis.settings import ServiceConfig, SettingsError, load_settings

BODY = {"name": "nightly-backup", "kind": "push", "interval_s": 3600, "grace_s": 600}


async def create(client: httpx.AsyncClient) -> str:
    response = await client.post("/api/services", json=BODY)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["kind"] == "push" and data["target"] == "push: a ping every 1 h"
    url: str = data["push_url"]
    assert url.startswith("http://127.0.0.1/api/push/")
    return url.removeprefix("http://127.0.0.1")


async def test_the_url_is_shown_once_and_only_its_hash_is_kept(client: httpx.AsyncClient, ctx: AppContext) -> None:
    path = await create(client)
    token = path.rsplit("/", 1)[-1]
    shown = (await client.get("/api/services/nightly-backup")).json()["data"]
    assert "push_url" not in shown and token not in str(shown)
    async with ctx.db.sessions() as session:
        row = await session.get(ServiceRow, "nightly-backup")
    assert row is not None and row.push_token_sha256 is not None and token not in str(row.config)


async def test_pings_and_silence_make_its_status(
    client: httpx.AsyncClient, ctx: AppContext, scheduler: HealthScheduler, frozen_clock: FrozenClock
) -> None:
    path = await create(client)
    anonymous = httpx.AsyncClient(transport=client._transport, base_url="http://127.0.0.1")  # a cron job
    pinged = await anonymous.get(path)
    assert pinged.status_code == 200 and pinged.json()["data"]["status"] == "healthy"
    assert scheduler.services["nightly-backup"].status == "healthy"

    live = scheduler.services["nightly-backup"]
    frozen_clock.advance(3600 + 500)  # late, but within the grace
    await scheduler._scheduled(live, 0)
    assert live.status == "healthy"
    frozen_clock.advance(200)  # 71 min 40 s without a ping: beyond 1 h + 10 min
    await scheduler._scheduled(live, 0)
    assert live.status == "offline" and live.error == "no ping for 1 h 11 min (expected every 1 h + 10 min grace)"

    back = await anonymous.post(path)  # a POST with no body, as `curl -X POST` sends
    assert back.status_code == 200 and live.status == "healthy"
    failed = await anonymous.post(f"{path}?status=down&msg=disk%20full")
    assert failed.json()["data"]["status"] == "offline" and live.error == "reported down: disk full"
    await anonymous.aclose()


async def test_bad_pings_are_4xx_and_change_nothing(client: httpx.AsyncClient, scheduler: HealthScheduler) -> None:
    path = await create(client)
    unknown = await client.get("/api/push/" + "x" * 32)
    assert unknown.status_code == 404 and unknown.json()["details"] == [{"field": "token", "problem": "unknown"}]
    bad = await client.get(f"{path}?status=sideways")
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "status"
    assert scheduler.services["nightly-backup"].status == "unknown"  # never pinged yet
    now = await client.post("/api/services/nightly-backup/check")
    assert now.status_code == 409 and "push monitor" in now.json()["error"]


def test_a_push_monitor_in_jarvis_toml_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "jarvis.toml"
    config.write_text('[[services]]\nname = "cron"\nkind = "push"\n')
    with pytest.raises(SettingsError) as error:
        load_settings({"JARVIS_CONFIG": str(config)})
    assert "create it through the API" in str(error.value)


def test_interval_and_grace_bound_the_silence() -> None:
    config = ServiceConfig(name="c", kind="push", interval_s=60, grace_s=0)
    start = datetime(2026, 11, 25, tzinfo=UTC)
    assert overdue(config, last=start, now=start + timedelta(seconds=60)) is None
    late = overdue(config, last=start, now=start + timedelta(seconds=61))
    assert late is not None and late.error == "no ping for 1 min (expected every 1 min)"
