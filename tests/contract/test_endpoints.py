"""The seed's 17 endpoints, pinned: each answers what the original answered (keys, types, status
codes, headers, the sentences its clients look for), read over real HTTP from a live server whose
tracker file is the one the original's tests wrote. Extra keys are ours and allowed; a changed type
or nesting is not. One documented break: a figure we have no input for is `null`, never an invented 0.

The 17: /health; /api/dashboard/{overview, instances, business, health, financial, waves, stream};
POST /api/chat, GET and DELETE /api/chat/{id}; /api/proactive/{suggestions, feedback/{id},
user-action}; /api/cache/{stats, clear}; /api/events.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.contract.conftest import NUMBER, Nullable, assert_shape, poll

SEED_SSE_HEADERS = {"content-type": "text/event-stream", "cache-control": "no-cache", "connection": "keep-alive"}
MODULES = {
    "music": ("Music Generation", 1),
    "marketing": ("Marketing & Strategy", 2),
    "engagement": ("User Engagement", 3),
    "automation": ("Workflow Automation", 4),
    "intelligence": ("Business Intelligence", 5),
}

INSTANCES = {
    "instances": [
        {"id": str, "role": Nullable(str), "status": str, "current_task": Nullable(str), "branch": Nullable(str)}
    ],
    "metrics": {
        "tasks_completed": int,
        "tasks_in_progress": int,
        "tasks_pending": int,
        "blockers_count": int,
        "total_estimated_hours": Nullable(NUMBER),
        "total_actual_hours": Nullable(NUMBER),
        "efficiency_ratio": Nullable(NUMBER),
        "overall_completion_percent": int,
        "active_instances": int,
        "total_instances": int,
    },
    "blockers": [{"description": str}],
    "projects": dict,
    "updated": str,
}
MODULE = {"name": str, "priority": int, "status": str, "health": str, "uptime": Nullable(NUMBER), "metrics": dict}
BUSINESS = dict.fromkeys(MODULES, MODULE)
HEALTH = {"overall": str, "services": dict, "timestamp": str}
FINANCIAL = {
    key: Nullable(NUMBER)
    for key in ("mrr", "arr", "customers", "revenue_today", "revenue_this_month", "cac", "ltv", "burn_rate")
} | {"runway_months": Nullable(NUMBER)}
WAVE = {
    "id": str,
    "name": str,
    "status": str,
    "completion": NUMBER,
    "estimated_hours": Nullable(NUMBER),
    "actual_hours": Nullable(NUMBER),
    "remaining_hours": Nullable(NUMBER),
    "tasks_completed": int,
    "tasks_total": int,
}
OVERVIEW = {
    "instances": INSTANCES,
    "business": BUSINESS,
    "health": HEALTH,
    "financial": FINANCIAL,
    "waves": [WAVE],
    "timestamp": str,
}


def ok_data(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["success"] is True
    return body["data"]


def seed_sse_headers(response: httpx.Response) -> None:
    for name, value in SEED_SSE_HEADERS.items():
        assert response.headers[name] == value, name


def blocks(response: httpx.Response) -> Any:
    """SSE blocks as the original's tests read them: split on blank lines."""
    buffer = ""
    for chunk in response.iter_text():
        buffer += chunk.replace("\r\n", "\n")
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            if block and not block.startswith(":"):
                yield block


# 1
def test_health(http: httpx.Client) -> None:
    response = http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy" and body["service"] == "jarvis-dashboard-api"
    assert_shape(body, {"timestamp": str, "cache": {"size": int, "keys": [str]}})


# 2
def test_overview(http: httpx.Client) -> None:
    data = ok_data(http.get("/api/dashboard/overview"))
    assert_shape(data, OVERVIEW)


# 3
def test_instances(http: httpx.Client) -> None:
    data = ok_data(http.get("/api/dashboard/instances"))
    assert_shape(data, INSTANCES)
    assert isinstance(data["instances"], list)  # as the original's API test has it (each entry has its id)
    by_id = {i["id"]: i for i in data["instances"]}
    assert by_id["instance-1"]["role"] == "Frontend Developer"
    assert by_id["instance-1"]["last_commit"] == {
        "hash": "abc123",
        "message": "Add dashboard components",
        "timestamp": "2025-10-08T18:00:00Z",
    }
    assert data["metrics"]["overall_completion_percent"] == 50  # round(mean(100, 50, 0)), as the seed
    assert data["metrics"]["total_instances"] == 2 and data["metrics"]["blockers_count"] == 1
    assert [b["description"] for b in data["blockers"]] == ["Waiting for API deployment"]
    assert sorted(data["projects"]) == ["side-quest", "wave-1", "wave-2"]  # the tracker's map, keyed by id
    assert data["projects"]["wave-2"]["assigned_to"] == "instance-1,instance-2"
    assert data["projects"]["wave-2"]["completion_percent"] == 50


# 4
def test_business(http: httpx.Client) -> None:
    data = ok_data(http.get("/api/dashboard/business"))
    assert_shape(data, BUSINESS)
    assert set(data) == set(MODULES)  # an object keyed by module: data.music, data.marketing, …
    for key, (name, priority) in MODULES.items():
        assert (data[key]["name"], data[key]["priority"]) == (name, priority)
        assert all(isinstance(v, NUMBER) and not isinstance(v, bool) for v in data[key]["metrics"].values())


# 5
def test_health_section(http: httpx.Client) -> None:
    data = ok_data(http.get("/api/dashboard/health"))
    assert_shape(data, HEALTH)
    assert data["overall"] in ("healthy", "degraded", "offline", "down", "unknown")
    for name, service in data["services"].items():  # keyed by name, as the seed's were
        assert isinstance(name, str)
        assert_shape(service, {"status": str})


# 6
def test_financial(http: httpx.Client) -> None:
    data = ok_data(http.get("/api/dashboard/financial"))
    assert_shape(data, FINANCIAL)
    assert data["mrr"] is None and data["runway_months"] is None  # no inputs given: null, not invented


# 7
def test_waves(http: httpx.Client) -> None:
    data = ok_data(http.get("/api/dashboard/waves"))
    assert isinstance(data, list)  # the original's test: Array.isArray(response.body.data)
    assert_shape(data, [WAVE])
    assert all(re.match(r"^wave-", wave["id"]) for wave in data)
    by_id = {wave["id"]: wave for wave in data}
    assert set(by_id) == {"wave-1", "wave-2"}
    assert (by_id["wave-1"]["completion"], by_id["wave-1"]["tasks_completed"], by_id["wave-1"]["tasks_total"]) == (
        100,
        1,
        1,
    )
    assert (by_id["wave-2"]["completion"], by_id["wave-2"]["tasks_completed"], by_id["wave-2"]["tasks_total"]) == (
        50,
        1,
        2,
    )
    assert by_id["wave-2"]["remaining_hours"] == 6


# 8
def test_stream_speaks_the_seeds_protocol(http: httpx.Client, seed_server: LiveServer) -> None:
    with http.stream("GET", "/api/dashboard/stream") as response:
        seed_sse_headers(response)
        stream = blocks(response)
        first = next(stream)
        assert re.match(r"^data: ", first) and "\n" not in first  # unnamed: EventSource.onmessage fires
        data = json.loads(first[len("data: ") :])
        assert_shape(data, OVERVIEW)  # what the original frontend sets as its state
        http.post("/api/instances/contract-agent/heartbeat", json={"status": "active", "role": "QA"})
        seen = next(b for b in stream if '"contract-agent"' in b)
        assert_shape(json.loads(seen[len("data: ") :]), OVERVIEW)


# 9
@pytest.mark.parametrize("body", [{}, {"invalid": "data"}, {"message": ""}])
def test_chat_requires_a_message(http: httpx.Client, body: dict[str, Any]) -> None:
    response = http.post("/api/chat", json=body)
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert "Message is required" in response.json()["error"]


def chat(http: httpx.Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    """POST /api/chat read as the original's test does: blocks starting with `data: `, JSON after it."""
    events: list[dict[str, Any]] = []
    with http.stream("POST", "/api/chat", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["cache-control"] == "no-cache"
        for block in blocks(response):
            assert block.startswith("data: ")
            events.append(json.loads(block[len("data: ") :]))
    return events


def test_chat_streams_start_tokens_complete(http: httpx.Client) -> None:
    events = chat(http, {"message": "Hello Jarvis"})
    assert events[0]["type"] == "start"
    assert_shape(events[0], {"conversationId": str, "messageId": str})
    tokens = [e for e in events if e["type"] == "token"]
    assert tokens and all(isinstance(t["content"], str) for t in tokens)
    assert events[-1]["type"] == "complete"
    assert events[-1]["message"] == "".join(t["content"] for t in tokens)


def test_chat_with_the_frontends_own_conversation_id(http: httpx.Client) -> None:
    conversation_id = "web-1760020038942-aexqhgc"
    first = chat(http, {"message": "are you live", "conversationId": conversation_id, "context": {}})
    assert first[0]["conversationId"] == conversation_id
    chat(http, {"message": "and the waves?", "conversationId": conversation_id})
    data = ok_data(http.get(f"/api/chat/{conversation_id}"))
    assert data["id"] == conversation_id
    assert [m["role"] for m in data["messages"]] == ["user", "assistant", "user", "assistant"]


# 10
def test_get_conversation(http: httpx.Client) -> None:
    missing = http.get("/api/chat/non-existent-id")
    assert missing.status_code == 404
    assert missing.json()["success"] is False and "not found" in missing.json()["error"]
    conversation_id = chat(http, {"message": "Hello"})[0]["conversationId"]
    data = ok_data(http.get(f"/api/chat/{conversation_id}"))
    assert data["id"] == conversation_id
    assert_shape(
        data,
        {
            "messages": [
                {"id": str, "conversationId": str, "source": str, "role": str, "content": str, "timestamp": str}
            ],
            "participants": dict,
            "metadata": dict,
            "created": str,
            "updated": str,
        },
    )


# 11
def test_delete_conversation(http: httpx.Client) -> None:
    missing = http.delete("/api/chat/non-existent-id")
    assert missing.status_code == 404 and missing.json()["success"] is False
    conversation_id = chat(http, {"message": "Test"})[0]["conversationId"]
    deleted = http.delete(f"/api/chat/{conversation_id}")
    assert deleted.status_code == 200
    assert deleted.json()["success"] is True and deleted.json()["message"] == "Conversation cleared"
    assert http.get(f"/api/chat/{conversation_id}").status_code == 404


SUGGESTION = {
    "id": str,
    "type": str,
    "priority": str,
    "title": str,
    "message": str,
    "reasoning": str,
    "confidence": NUMBER,
    "createdAt": str,
    "action": {"type": str, "label": str, "payload": dict},
}


def suggestions(http: httpx.Client) -> list[dict[str, Any]]:
    data = ok_data(http.get("/api/proactive/suggestions"))
    assert_shape(
        data,
        {
            "suggestions": [SUGGESTION],
            "status": {"running": bool, "activeSuggestions": int, "pendingNotifications": int, "context": dict},
        },
    )
    items: list[dict[str, Any]] = data["suggestions"]
    return items


# 12
def test_suggestions(http: httpx.Client) -> None:
    # The tracker's blocker has been open for over a year: the engine suggests looking at it.
    items = poll(lambda: suggestions(http))
    blocker = next(s for s in items if s["rule"] == "blocker_open")
    assert 0 <= blocker["confidence"] <= 1
    assert blocker["message"] == blocker["why"] and blocker["action"]["payload"]["url"] == blocker["link"]


# 13
@pytest.mark.parametrize("feedback_type", ["positive", "negative", "dismissed", "acted_upon"])
def test_feedback(http: httpx.Client, feedback_type: str) -> None:
    target = poll(lambda: suggestions(http))[0]
    response = http.post(f"/api/proactive/feedback/{target['id']}", json={"feedbackType": feedback_type})
    assert response.status_code == 200
    assert response.json() == response.json() | {
        "success": True,
        "message": f"Feedback recorded for suggestion {target['id']}",
    }


def test_feedback_refuses_what_the_seed_refused(http: httpx.Client) -> None:
    target = poll(lambda: suggestions(http))[0]
    bad = http.post(f"/api/proactive/feedback/{target['id']}", json={"feedbackType": "meh"})
    assert bad.status_code == 400 and bad.json()["success"] is False
    assert "Invalid feedbackType. Must be one of: positive, negative, dismissed, acted_upon" in bad.json()["error"]
    unknown = http.post("/api/proactive/feedback/0b8e-not-ours", json={"feedbackType": "positive"})
    assert unknown.status_code == 404 and unknown.json()["success"] is False


# 14
def test_user_action(http: httpx.Client) -> None:
    body = {"actionType": "click", "target": "business", "context": {"from": "nav"}, "sessionId": "s-1"}
    response = http.post("/api/proactive/user-action", json=body)
    assert response.status_code == 200
    assert response.json()["success"] is True and response.json()["message"] == "User interaction tracked"
    missing = http.post("/api/proactive/user-action", json={"actionType": "click"})
    assert missing.status_code == 400 and "actionType and target are required" in missing.json()["error"]


# 15
def test_cache_stats(http: httpx.Client) -> None:
    http.get("/api/dashboard/overview")
    data = ok_data(http.get("/api/cache/stats"))
    assert_shape(data, {"size": int, "keys": [str]})
    assert data["size"] == len(data["keys"]) > 0


# 16
def test_cache_clear(http: httpx.Client) -> None:
    http.get("/api/dashboard/instances")
    one = http.post("/api/cache/clear", json={"key": "instance-activity"})  # the seed's own key name
    assert one.status_code == 200 and one.json()["message"] == "Cache key 'instance-activity' cleared"
    assert one.json()["data"]["cleared"] == 1
    assert "dashboard:instances" not in ok_data(http.get("/api/cache/stats"))["keys"]
    everything = http.post("/api/cache/clear")
    assert everything.status_code == 200 and everything.json() == everything.json() | {
        "success": True,
        "message": "All cache cleared",
    }


# 17
def test_events(http: httpx.Client) -> None:
    """The seed's /api/events was a synthetic test feed (random events); ours carries the real ones,
    with the same headers, `id:` lines and JSON `{id, type, …}` (named: see docs/api.md)."""
    http.post("/api/instances/contract-events/heartbeat", json={"status": "active"})
    with http.stream("GET", "/api/events?types=instance.*", headers={"Last-Event-ID": "0"}) as response:
        seed_sse_headers(response)
        block = next(blocks(response))
    fields = dict(line.split(": ", 1) for line in block.split("\n"))
    event = json.loads(fields["data"])
    assert int(fields["id"]) == event["id"]
    assert_shape(event, {"id": int, "type": str, "at": str, "data": dict})


def test_unknown_routes_are_404(http: httpx.Client) -> None:
    response = http.get("/api/unknown-route")
    assert response.status_code == 404 and response.json()["success"] is False
