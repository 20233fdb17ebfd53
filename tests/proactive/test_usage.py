"""Usage patterns: the user-action API, and habits learned from a recorded sequence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.proactive import usage
from jarvis.proactive.engine import Engine
from jarvis.proactive.models import UserAction
from jarvis.proactive.rules.base import Habit
from tests.proactive import factories as f
from tests.proactive.conftest import count

DAY0 = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def recorded() -> list[usage.Action]:
    """Five mornings: business first at 9 on four of them, health first on the fifth; afternoons vary."""
    actions: list[usage.Action] = []
    for day in range(5):
        base = DAY0 + timedelta(days=day)
        first = "health" if day == 2 else "business"
        actions.append(usage.Action("section_open", first, base + timedelta(hours=9, minutes=5)))
        actions.append(usage.Action("section_view", "instances", base + timedelta(hours=9, minutes=20)))
        afternoon = ["waves", "financial", "health", "waves", "business"][day]
        actions.append(usage.Action("section_open", afternoon, base + timedelta(hours=15)))
    return actions


def test_learns_the_section_opened_first_at_an_hour() -> None:
    habits = usage.learn(recorded(), [], zone="UTC")
    assert habits == [Habit("first_section", "business", 9, 4, 5)]  # 15:00 is not a habit (2 of 5 for waves)


def test_hours_are_local() -> None:
    habits = usage.learn(recorded(), [], zone="Asia/Tokyo")  # UTC+9
    assert [(h.target, h.hour) for h in habits] == [("business", 18)]


def test_learns_service_pages_visited_after_health_changes() -> None:
    changes = [{"service": "api", "at": DAY0 + timedelta(days=d, hours=3)} for d in range(4)]
    changes += [{"service": "db", "at": DAY0 + timedelta(days=d, hours=4)} for d in range(4)]
    visits = [usage.Action("service_open", "api", DAY0 + timedelta(days=d, hours=3, minutes=10)) for d in (1, 2)]
    visits.append(usage.Action("navigate", "service:db", DAY0 + timedelta(days=0, hours=4, minutes=5)))
    visits.append(usage.Action("page_view", "service", DAY0 + timedelta(hours=3, minutes=1), path="/services/api"))
    visits.append(usage.Action("service_open", "db", DAY0 + timedelta(days=1, hours=6)))  # too late to count
    habits = usage.learn(visits, changes, zone="UTC")
    assert habits == [Habit("after_health_change", "api", None, 3, 4)]


async def test_user_action_is_stored(ctx: AppContext, client: httpx.AsyncClient) -> None:
    body = {"actionType": "section_open", "target": "business", "context": {"from": "nav"}, "sessionId": "s1"}
    response = await client.post("/api/proactive/user-action", json=body)
    assert response.status_code == 200 and response.json()["data"]["id"] == 1  # 200, as the seed answered
    assert response.json()["message"] == "User interaction tracked"
    assert await count(ctx, UserAction) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": "business"}, "actionType"),
        ({"actionType": "section_open"}, "target"),
        ({"actionType": "section_open", "target": "x" * 201}, "target"),
        ({"actionType": "bad type!", "target": "x"}, "actionType"),
        ({"actionType": "a", "target": "x", "extra": 1}, "extra"),
        ({"actionType": "a", "target": "x", "context": {"blob": "x" * 5000}}, "context"),
        ({"actionType": "a", "target": "x", "sessionId": "s" * 101}, "sessionId"),
        ({"actionType": "a", "target": "x", "context": {"n": 2**70}}, "context"),  # was a 500
    ],
)
async def test_bad_user_action_is_400_and_stores_nothing(
    ctx: AppContext, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/proactive/user-action", json=body)
    assert response.status_code == 400
    if field in ("actionType", "target"):
        assert response.json()["error"].startswith("actionType and target are required")  # the seed's phrase
    assert response.json()["details"][0]["field"] == field
    assert await count(ctx, UserAction) == 0


async def test_recorded_actions_become_a_suggestion(
    engine: Engine, ctx: AppContext, client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    for action in recorded():
        frozen_clock.set(action.at)
        response = await client.post(
            "/api/proactive/user-action", json={"actionType": action.action_type, "target": action.target}
        )
        assert response.status_code == 200
    frozen_clock.set(DAY0 + timedelta(days=5, hours=9))
    async with ctx.db.sessions() as session:
        await engine.refresh_habits(session)
    assert [h.as_dict() for h in engine.habits] == [
        {"kind": "first_section", "target": "business", "hour": 9, "support": 4, "of": 5}
    ]
    modules = [f.module("music", {"revenue": (88.0, [100, 100, 100, 100, 100, 100, 88])})]
    state = f.state(modules=modules, habits=engine.habits, now=frozen_clock.current)
    created = (await engine.tick(state)).created
    titles = [item["title"] for item in created]
    assert "You usually review business at 9:00: revenue is down 12% since yesterday" in titles
    usage_item = next(item for item in created if item["rule"] == "usage_first_section")
    assert "4 of the last 5 days" in usage_item["why"]
