"""Timing: hourly and daily caps, minimum gap, quiet hours; critical always goes; held ones wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from jarvis.core.clock import FrozenClock
from jarvis.proactive import timing
from jarvis.proactive.engine import Engine
from jarvis.settings import ProactiveSettings
from tests.proactive import factories as f

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def policy(**values: Any) -> ProactiveSettings:
    base: dict[str, Any] = {"max_per_hour": 5, "max_per_day": 20, "min_gap_minutes": 15, "quiet_hours": ""}
    return ProactiveSettings(**{**base, **values})


def test_minimum_gap() -> None:
    sent = [T0 - timedelta(minutes=10)]
    assert not timing.decide(T0, "high", sent, policy())
    assert timing.decide(T0 + timedelta(minutes=5), "high", sent, policy())


def test_hourly_and_daily_caps() -> None:
    hour = [T0 - timedelta(minutes=m) for m in (5, 10, 20, 30, 40)]
    decision = timing.decide(T0, "normal", hour, policy(min_gap_minutes=0))
    assert not decision and "last hour" in (decision.reason or "")
    day = [T0 - timedelta(hours=h) for h in range(1, 21)]
    decision = timing.decide(T0, "normal", day, policy(min_gap_minutes=0))
    assert not decision and "24 h" in (decision.reason or "")
    assert timing.decide(T0 + timedelta(hours=4, minutes=1), "normal", day, policy(min_gap_minutes=0))


def test_quiet_hours_span_midnight_in_the_configured_zone() -> None:
    quiet = policy(quiet_hours="22:00-07:00", timezone="Europe/Paris")  # UTC+1 in November
    assert not timing.decide(datetime(2026, 11, 25, 21, 30, tzinfo=UTC), "high", [], quiet)  # 22:30 in Paris
    assert not timing.decide(datetime(2026, 11, 25, 5, 30, tzinfo=UTC), "high", [], quiet)  # 06:30
    assert timing.decide(datetime(2026, 11, 25, 6, 30, tzinfo=UTC), "high", [], quiet)  # 07:30
    assert timing.decide(datetime(2026, 11, 25, 20, 30, tzinfo=UTC), "high", [], quiet)  # 21:30


def test_critical_ignores_every_limit() -> None:
    crowded = [T0 - timedelta(minutes=m) for m in range(1, 30)]
    assert timing.decide(T0, "critical", crowded, policy(quiet_hours="00:00-23:59"))


def test_bad_quiet_hours_and_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="quiet_hours"):
        ProactiveSettings(quiet_hours="25:00-07:00")
    with pytest.raises(ValueError, match="unknown time zone"):
        ProactiveSettings(timezone="Mars/Olympus")


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {"proactive": {"max_per_hour": 5, "max_per_day": 20, "min_gap_minutes": 15, "quiet_hours": ""}}


def many_blockers(n: int, now: datetime) -> list[dict[str, Any]]:
    return [f.blocker(f"b{i}", open_hours=6, now=now) for i in range(n)]


async def test_engine_holds_and_later_releases(
    engine: Engine, client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    state = f.state(blockers=many_blockers(3, frozen_clock.current), now=frozen_clock.current)
    first = await engine.tick(state)
    assert len(first.created) == 3 and len(first.released) == 1 and len(first.held) == 2
    status = (await client.get("/api/proactive/suggestions")).json()["data"]["status"]
    assert status["pendingNotifications"] == 2 and status["activeSuggestions"] == 3
    assert "min gap" in next(iter(status["context"]["held"].values()))

    frozen_clock.advance(5 * 60)
    critical = f.state(
        blockers=many_blockers(3, frozen_clock.current),
        finance=f.financial(runway_months={"value": 1.5}),  # under half the 6-month threshold: critical
        now=frozen_clock.current,
    )
    second = await engine.tick(critical)
    assert [item["priority"] for item in second.released] == ["critical"]  # through the gap, at once

    frozen_clock.advance(15 * 60)
    third = await engine.tick(critical)
    assert len(third.released) == 1  # one more after the gap: nothing dropped
    frozen_clock.advance(15 * 60)
    assert len((await engine.tick(critical)).released) == 1
    status = (await client.get("/api/proactive/suggestions")).json()["data"]["status"]
    assert status["pendingNotifications"] == 0


@pytest.mark.parametrize("overrides", [{"proactive": {"max_per_hour": 2, "min_gap_minutes": 0}}])
async def test_engine_hourly_cap(engine: Engine, frozen_clock: FrozenClock) -> None:
    state = f.state(blockers=many_blockers(5, frozen_clock.current), now=frozen_clock.current)
    assert len((await engine.tick(state)).released) == 2
    frozen_clock.advance(30 * 60)
    assert (await engine.tick(state)).released == []
    frozen_clock.advance(31 * 60)
    assert len((await engine.tick(state)).released) == 2
