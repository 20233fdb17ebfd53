"""Feedback through the API: validation, 404, rank, suppression (never of critical ones), reset."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.proactive.engine import Engine
from jarvis.proactive.models import Feedback, RuleScore
from tests.proactive import factories as f
from tests.proactive.conftest import count

LOW_CACHE = {"hits": 10, "misses": 990, "hit_ratio": 0.01}


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {"proactive": {"suppress_min_feedback": 3, "suppress_below_score": 0.3, "suppress_up_to": "low"}}


async def test_unknown_value_is_400_naming_the_allowed_ones(
    engine: Engine, ctx: AppContext, client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    created = (await engine.tick(f.state(cache=LOW_CACHE))).created
    response = await client.post(f"/api/proactive/feedback/{created[0]['id']}", json={"feedback": "meh"})
    assert response.status_code == 400
    body = response.json()
    assert body["details"][0]["field"] == "feedback"
    for allowed in ("positive", "negative", "dismissed", "acted_upon"):
        assert allowed in body["error"]
    assert await count(ctx, Feedback) == 0 and await count(ctx, RuleScore) == 0


@pytest.mark.parametrize(
    "suggestion_id",
    ["999", "3b241101-e2bb-4255-8caf-4136c566a962", "abc", "1.5", "9" * 40, "2147483648", "99999999999", "²"],
)
async def test_an_id_that_is_not_ours_is_404(ctx: AppContext, client: httpx.AsyncClient, suggestion_id: str) -> None:
    """Numbers we never gave (beyond PostgreSQL's integer too), and strings like the seed's UUIDs: 404, not 400."""
    response = await client.post(f"/api/proactive/feedback/{suggestion_id}", json={"feedbackType": "positive"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert await count(ctx, Feedback) == 0


@pytest.mark.parametrize("value", ["positive", "negative", "dismissed", "acted_upon"])
async def test_the_seeds_feedback_type_is_accepted(
    engine: Engine, ctx: AppContext, client: httpx.AsyncClient, frozen_clock: FrozenClock, value: str
) -> None:
    created = (await engine.tick(f.state(cache=LOW_CACHE))).created
    listed = (await client.get("/api/proactive/suggestions")).json()["data"]["suggestions"]
    suggestion_id = listed[0]["id"]
    assert suggestion_id == str(created[0]["id"])  # a string, the seed's type
    response = await client.post(f"/api/proactive/feedback/{suggestion_id}", json={"feedbackType": value})
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["message"] == f"Feedback recorded for suggestion {suggestion_id}"
    assert body["data"]["suggestion"]["feedback"] == value
    assert await count(ctx, Feedback) == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"feedbackType": "meh"}, {"feedbackType": None}, {"feedback": "positive", "feedbackType": "negative"}],
)
async def test_a_bad_feedback_type_is_400_with_the_seeds_phrase(
    engine: Engine, ctx: AppContext, client: httpx.AsyncClient, frozen_clock: FrozenClock, body: dict[str, Any]
) -> None:
    created = (await engine.tick(f.state(cache=LOW_CACHE))).created
    response = await client.post(f"/api/proactive/feedback/{created[0]['id']}", json=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(
        "Invalid feedbackType. Must be one of: positive, negative, dismissed, acted_upon"
    )
    assert await count(ctx, Feedback) == 0 and await count(ctx, RuleScore) == 0


async def test_feedback_changes_the_rank(engine: Engine, client: httpx.AsyncClient, frozen_clock: FrozenClock) -> None:
    state = f.state(
        waves=[f.wave("w1", estimated=10, actual=12, done=1, total=5)],  # wave_behind, normal
        blockers=[f.blocker("b1", open_hours=6, severity="low")],  # blocker_open, normal
    )
    await engine.tick(state)
    listed = (await client.get("/api/proactive/suggestions")).json()["data"]["suggestions"]
    assert [s["rule"] for s in listed] == ["wave_behind", "blocker_open"]  # equal scores: newest first
    blocker_id = next(s["id"] for s in listed if s["rule"] == "blocker_open")
    response = await client.post(f"/api/proactive/feedback/{blocker_id}", json={"feedback": "positive"})
    assert response.json()["data"]["rule"]["score"] == pytest.approx(2 / 3, abs=1e-3)
    listed = (await client.get("/api/proactive/suggestions")).json()["data"]["suggestions"]
    assert [s["rule"] for s in listed] == ["blocker_open", "wave_behind"]
    assert listed[0]["score"] > listed[1]["score"]


async def test_negative_feedback_suppresses_low_priority_but_never_critical(
    engine: Engine, ctx: AppContext, client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    for _ in range(3):
        created = (await engine.tick(f.state(cache=LOW_CACHE))).created
        response = await client.post(f"/api/proactive/feedback/{created[0]['id']}", json={"feedback": "negative"})
        assert response.json()["data"]["suggestion"]["status"] == "dismissed"
        await engine.tick(f.state())  # the situation clears, and comes back next round
    result = await engine.tick(f.state(cache=LOW_CACHE))
    assert [item["status"] for item in result.created] == ["suppressed"]
    assert result.released == []
    assert (await client.get("/api/proactive/suggestions")).json()["data"]["suggestions"] == []
    rules = (await client.get("/api/proactive/rules")).json()["data"]["rules"]
    cache = next(r for r in rules if r["rule"] == "cache_low")
    assert cache["scores"][0]["feedback"] == 3 and cache["scores"][0]["suppresses"] == ["low"]
    assert [h["value"] for h in cache["history"]] == ["negative"] * 3

    # The same treatment for a critical rule mutes nothing.
    down = f.state(services=[f.service("api", "offline", since_min=10)])
    for _ in range(4):
        created = (await engine.tick(down)).created
        await client.post(f"/api/proactive/feedback/{created[0]['id']}", json={"feedback": "negative"})
        await engine.tick(f.state())
    assert [item["status"] for item in (await engine.tick(down)).created] == ["active"]


async def test_reset_puts_the_score_back_and_unmutes(
    engine: Engine, client: httpx.AsyncClient, frozen_clock: FrozenClock
) -> None:
    for _ in range(3):
        created = (await engine.tick(f.state(cache=LOW_CACHE))).created
        await client.post(f"/api/proactive/feedback/{created[0]['id']}", json={"feedback": "negative"})
        await engine.tick(f.state())
    assert (await engine.tick(f.state(cache=LOW_CACHE))).created[0]["status"] == "suppressed"
    assert (await client.post("/api/proactive/rules/nope/reset")).status_code == 404
    response = await client.post("/api/proactive/rules/cache_low/reset")
    assert response.json()["data"] == {"rule": "cache_low", "reset": 1}
    result = await engine.tick(f.state(cache=LOW_CACHE))
    assert [item["status"] for item in result.updated] == ["active"]
    rules = (await client.get("/api/proactive/rules")).json()["data"]["rules"]
    cache = next(r for r in rules if r["rule"] == "cache_low")
    assert cache["scores"][0]["score"] == 0.5 and len(cache["history"]) == 3  # history stays
