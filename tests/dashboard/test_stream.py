"""The SSE streams over real HTTP: snapshot on connect, deltas, Last-Event-ID, /api/events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from tests.conftest import LiveServer


def sse_events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    event: dict[str, Any] = {}
    for line in lines:
        if line == "":
            if "data" in event:
                yield event
            event = {}
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(": ")
            event[name] = json.loads(value) if name == "data" else value


def test_live_stream_sends_snapshot_then_only_changed_sections(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        with http.stream("GET", "/api/stream") as stream:
            assert stream.headers["content-type"] == "text/event-stream"
            events = sse_events(stream.iter_lines())
            first = next(events)
            assert first["event"] == "dashboard.snapshot" and "id" not in first  # the hub's ids only
            assert set(first["data"]["data"]["sections"]) >= {"instances", "health", "business", "financial", "waves"}
            version = first["data"]["data"]["version"]
            posted = http.post("/api/instances/agent-z/heartbeat", json={"status": "active", "role": "QA"})
            assert posted.status_code in (200, 201), posted.text
            update = next(e for e in events if "instances" in e["data"]["data"]["changed"])
            assert update["event"] == "dashboard.update" and update["data"]["data"]["version"] > version
            assert "business" not in update["data"]["data"]["changed"]
            ids = [i["id"] for i in update["data"]["data"]["sections"]["instances"]["instances"]]
            assert "agent-z" in ids  # our shapes on our stream: a list of instances with ids


def test_live_stream_carries_hub_events_and_replays_them_after_last_event_id(live_server: LiveServer) -> None:
    """One connection for the dashboard and the bell: with `types=`, the hub's events come too."""
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        with http.stream("GET", "/api/stream?types=blocker.*") as stream:
            events = sse_events(stream.iter_lines())
            assert next(events)["event"] == "dashboard.snapshot"
            http.post("/api/instances/agent-q/heartbeat", json={"status": "active"})
            http.post("/api/blockers", json={"instance": "agent-q", "description": "waiting on keys"})
            opened = next(e for e in events if e["event"] == "blocker.opened")
            assert opened["data"]["data"]["description"] == "waiting on keys"
        http.post("/api/blockers", json={"instance": "agent-q", "description": "and on a review"})
        headers = {"Last-Event-ID": opened["id"]}
        with http.stream("GET", "/api/stream?types=blocker.*", headers=headers) as stream:
            events = sse_events(stream.iter_lines())
            assert next(events)["event"] == "dashboard.snapshot"
            missed = next(events)  # replayed: what came after the last one seen
            assert missed["event"] == "blocker.opened" and int(missed["id"]) > int(opened["id"])
            assert missed["data"]["data"]["description"] == "and on a review"


def test_seed_stream_sends_the_overview_unnamed_and_again_after_a_change(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        with http.stream("GET", "/api/dashboard/stream") as stream:
            events = sse_events(stream.iter_lines())
            first = next(events)
            assert set(first) == {"data"}  # no `event:` (so onmessage fires) and no `id:`
            assert set(first["data"]) >= {"instances", "business", "health", "financial", "waves", "timestamp"}
            http.post("/api/instances/agent-s/heartbeat", json={"status": "active"})
            seen = next(e for e in events if any(i["id"] == "agent-s" for i in e["data"]["instances"]["instances"]))
            assert isinstance(seen["data"]["waves"], list) and isinstance(seen["data"]["business"], dict)


def test_events_stream_and_replay(live_server: LiveServer) -> None:
    """The replay honours the filter: background jobs (the first health check, the engine) publish too,
    so an unfiltered replay from 0 starts with whichever of them came first."""
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        http.post("/api/instances/agent-r/heartbeat", json={"status": "active"})
        with http.stream("GET", "/api/events?types=instance.*", headers={"Last-Event-ID": "0"}) as stream:
            event = next(sse_events(stream.iter_lines()))
            assert event["event"].startswith("instance.")
            assert event["data"]["type"] == event["event"]
            data = event["data"]["data"]
            assert data.get("instance_id", data.get("id")) == "agent-r"
        with http.stream("GET", "/api/events?types=blocker.*") as stream:
            http.post("/api/instances/agent-r/heartbeat", json={"status": "active"})
            http.post("/api/blockers", json={"instance": "agent-r", "description": "waiting on keys"})
            event = next(sse_events(stream.iter_lines()))
            assert event["event"] == "blocker.opened"
