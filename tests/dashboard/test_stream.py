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


def test_stream_sends_snapshot_then_only_changed_sections(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        with http.stream("GET", "/api/dashboard/stream") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = sse_events(stream.iter_lines())
            first = next(events)
            assert first["event"] == "dashboard.snapshot"
            assert set(first["data"]["data"]["sections"]) >= {"instances", "health", "business", "financial", "waves"}
            version = int(first["id"])
            posted = http.post("/api/instances/agent-z/heartbeat", json={"status": "active", "role": "QA"})
            assert posted.status_code in (200, 201), posted.text
            update = next(events)
            assert update["event"] == "dashboard.update"
            assert int(update["id"]) > version
            assert "instances" in update["data"]["data"]["changed"]
            assert "business" not in update["data"]["data"]["changed"]
            ids = [i["id"] for i in update["data"]["data"]["sections"]["instances"]["instances"]]
            assert "agent-z" in ids


def test_last_event_id_that_is_current_skips_the_snapshot(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        with http.stream("GET", "/api/dashboard/stream") as stream:
            current = next(sse_events(stream.iter_lines()))["id"]
        with http.stream("GET", "/api/dashboard/stream", headers={"Last-Event-ID": current}) as stream:
            http.post("/api/instances/agent-y/heartbeat", json={"status": "idle"})
            event = next(sse_events(stream.iter_lines()))
            assert event["event"] == "dashboard.update"


def test_events_stream_and_replay(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        http.post("/api/instances/agent-r/heartbeat", json={"status": "active"})
        with http.stream("GET", "/api/events", headers={"Last-Event-ID": "0"}) as stream:
            event = next(sse_events(stream.iter_lines()))
            assert event["event"].startswith("instance.")
            assert event["data"]["type"] == event["event"]
        with http.stream("GET", "/api/events?types=blocker.*") as stream:
            http.post("/api/instances/agent-r/heartbeat", json={"status": "active"})
            http.post("/api/blockers", json={"instance": "agent-r", "description": "waiting on keys"})
            event = next(sse_events(stream.iter_lines()))
            assert event["event"] == "blocker.opened"
