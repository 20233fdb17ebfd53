"""The real server (uvicorn, jobs running): a service added through the API is scheduled live
and its first check arrives on /api/events within a second or so, with no restart."""

from __future__ import annotations

import json

import httpx

from jarvis.health.scheduler import SCHEDULER
from tests.conftest import LiveServer


def test_added_service_is_checked_by_the_running_scheduler(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        with http.stream("GET", "/api/events", params={"types": "health.*"}) as stream:
            body = {"name": "self-http", "url": f"{live_server.url}/health", "json_path": "status"}
            created = http.post("/api/services", json=body)
            assert created.status_code == 201, created.text
            for line in stream.iter_lines():  # the client's 5 s read timeout bounds the wait
                if line.startswith("data: "):
                    event = json.loads(line[len("data: ") :])
                    if event["data"]["service"] == "self-http":
                        assert event["type"] == "health.changed"
                        assert (event["data"]["from"], event["data"]["to"]) == ("unknown", "healthy")
                        break
        services = {s["name"]: s for s in http.get("/api/services").json()["data"]["services"]}
        assert services["self-http"]["status"] == "healthy"
        assert http.delete("/api/services/self-http").status_code == 200
        assert "self-http" not in live_server.ctx.extras[SCHEDULER].services
