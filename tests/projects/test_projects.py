"""Projects, tasks and blockers through the API: derived figures, dashboard, hub events, bad input."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.instances import collector
from jarvis.projects.models import Blocker, Project, Task
from tests.instances.conftest import DESIGN_EXAMPLE, count_rows, write_tracker

WAVE: dict[str, Any] = {
    "id": "wave-2",
    "name": "Wave 2: Checkout",
    "assigned_to": ["agent-a"],
    "tasks": [
        {"id": "cart", "name": "Cart", "status": "completed", "estimated_hours": 4, "actual_hours": 5},
        {"id": "pay", "name": "Payments", "status": "in_progress", "estimated_hours": 6, "assigned_to": ["agent-a"]},
        {"id": "mail", "name": "Receipts", "estimated_hours": 2},
    ],
}


async def test_create_project_derives_status_completion_and_hours(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/projects", json=WAVE)
    assert response.status_code == 201, response.text
    wave = response.json()["data"]
    assert wave["status"] == "in_progress" and wave["completion_percent"] == 33.3
    assert (wave["tasks_done"], wave["tasks_total"]) == (1, 3)
    assert wave["estimated_hours"] == 12 and wave["actual_hours"] == 5 and wave["remaining_hours"] == 8
    assert [t["status"] for t in wave["tasks"]] == ["completed", "in_progress", "pending"]

    data = (await client.get("/api/sections/waves")).json()["data"]
    assert [w["id"] for w in data["waves"]] == ["wave-2"] and data["projects"] == []

    for task_id in ("pay", "mail"):
        response = await client.patch(f"/api/projects/wave-2/tasks/{task_id}", json={"status": "completed"})
        assert response.status_code == 200, response.text
    [wave] = (await client.get("/api/sections/waves")).json()["data"]["waves"]  # the write invalidated the cache
    assert wave["status"] == "completed" and wave["completion_percent"] == 100 and wave["remaining_hours"] == 0

    metrics = (await client.get("/api/sections/instances")).json()["data"]["metrics"]
    assert metrics["tasks_completed"] == 3 and metrics["overall_completion"] == 100
    assert metrics["total_estimated_hours"] == 12 and metrics["total_actual_hours"] == 5
    assert metrics["efficiency_ratio"] == 0.42


async def test_project_without_tasks_uses_its_own_figures_and_ids_from_names(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/projects", json={"name": "Docs Site!", "status": "in_progress", "completion_percent": 40}
    )
    project = response.json()["data"]
    assert project["id"] == "docs-site" and project["completion_percent"] == 40
    assert project["estimated_hours"] is None and project["remaining_hours"] is None
    metrics = (await client.get("/api/sections/instances")).json()["data"]["metrics"]
    assert metrics["efficiency_ratio"] is None and metrics["total_estimated_hours"] is None
    assert metrics["overall_completion"] == 40 and metrics["tasks_completed"] == 0

    response = await client.patch("/api/projects/docs-site", json={"completion_percent": None, "name": "Docs"})
    assert response.json()["data"]["completion_percent"] is None and response.json()["data"]["name"] == "Docs"
    response = await client.post("/api/projects/docs-site/tasks", json={"name": "Write intro"})
    assert response.status_code == 201
    project = response.json()["data"]
    assert project["tasks"][0]["id"] == "task-1" and project["status"] == "pending"
    assert project["completion_percent"] == 0
    assert [p["id"] for p in (await client.get("/api/projects")).json()["data"]["projects"]] == ["docs-site"]
    assert (await client.get("/api/projects/docs-site")).json()["data"]["name"] == "Docs"


async def test_delete_project_removes_its_tasks(client: httpx.AsyncClient, ctx: AppContext) -> None:
    await client.post("/api/projects", json=WAVE)
    response = await client.delete("/api/projects/wave-2")
    assert response.status_code == 200
    assert await count_rows(ctx, Project) == 0 and await count_rows(ctx, Task) == 0
    assert (await client.get("/api/projects/wave-2")).status_code == 404
    assert (await client.get("/api/sections/waves")).json()["data"]["waves"] == []


async def test_tracker_projects_and_blockers_are_read_only(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path
) -> None:
    write_tracker(monitoring_dir, DESIGN_EXAMPLE)
    await collector.reload(ctx)
    assert (await client.get("/api/projects/wave-1")).json()["data"]["source"] == "tracker"
    for method, path, body in [
        ("PATCH", "/api/projects/wave-1", {"name": "x"}),
        ("DELETE", "/api/projects/wave-1", None),
        ("POST", "/api/projects/wave-1/tasks", {"name": "x"}),
        ("PATCH", "/api/projects/wave-1/tasks/t1", {"status": "pending"}),
        ("POST", "/api/blockers/tracker-b1/resolve", None),
        ("POST", "/api/projects", {"id": "wave-1", "name": "Copy"}),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 409, (method, path, response.text)
        assert "tracker file" in response.json()["error"] or "already exists" in response.json()["error"]
    assert await count_rows(ctx, Project) == 0
    blockers = (await client.get("/api/blockers")).json()["data"]["blockers"]
    assert [b["id"] for b in blockers] == ["tracker-b1"]


async def test_blockers_open_and_resolve(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: clock.FrozenClock
) -> None:
    await client.post("/api/instances/agent-a/heartbeat", json={"status": "blocked"})
    subscription = ctx.hub.subscribe(["blocker.*"])
    response = await client.post(
        "/api/blockers", json={"instance": "agent-a", "description": "Waiting on API keys", "severity": "high"}
    )
    assert response.status_code == 201, response.text
    blocker = response.json()["data"]
    opened = await asyncio.wait_for(subscription.get(), 1)
    assert opened is not None and opened.type == "blocker.opened" and opened.data["id"] == blocker["id"]

    frozen_clock.advance(3 * 3600 + 400)
    ctx.cache.clear()
    data = (await client.get("/api/sections/instances")).json()["data"]
    assert data["metrics"]["blockers_count"] == 1 and data["instances"][0]["open_blockers"] == 1
    assert data["blockers"][0]["age_hours"] == 3.1 and data["blockers"][0]["severity"] == "high"
    detail = (await client.get("/api/instances/agent-a")).json()["data"]
    assert [b["id"] for b in detail["blockers"]] == [blocker["id"]]

    response = await client.post(f"/api/blockers/{blocker['id']}/resolve", json={"resolution": "Keys arrived"})
    assert response.status_code == 200 and response.json()["data"]["resolution"] == "Keys arrived"
    resolved = await asyncio.wait_for(subscription.get(), 1)
    assert resolved is not None and resolved.type == "blocker.resolved"
    data = (await client.get("/api/sections/instances")).json()["data"]
    assert data["metrics"]["blockers_count"] == 0 and data["blockers"] == []
    assert (await client.post(f"/api/blockers/{blocker['id']}/resolve")).status_code == 409
    everything = (await client.get("/api/blockers?include_resolved=true")).json()["data"]["blockers"]
    assert everything[0]["resolved_at"] == clock.iso(frozen_clock.current)


async def test_instance_detail_lists_its_tasks(client: httpx.AsyncClient) -> None:
    await client.post("/api/instances/agent-a/heartbeat", json={"status": "active"})
    await client.post("/api/projects", json=WAVE)
    tasks = (await client.get("/api/instances/agent-a")).json()["data"]["tasks"]
    assert [(t["project_id"], t["id"]) for t in tasks] == [("wave-2", "pay")]


async def test_unknown_ids_are_404(client: httpx.AsyncClient, ctx: AppContext) -> None:
    await client.post("/api/projects", json=WAVE)
    for method, path, body, field in [
        ("GET", "/api/projects/nope", None, "project_id"),
        ("PATCH", "/api/projects/nope", {"name": "x"}, "project_id"),
        ("DELETE", "/api/projects/nope", None, "project_id"),
        ("POST", "/api/projects/nope/tasks", {"name": "x"}, "project_id"),
        ("PATCH", "/api/projects/wave-2/tasks/nope", {"status": "completed"}, "task_id"),
        ("POST", "/api/blockers/nope/resolve", None, "blocker_id"),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["details"][0]["field"] == field
    assert await count_rows(ctx, Task) == 3


BAD: list[tuple[str, str, Any, str]] = [
    ("POST", "/api/projects", {}, "name"),
    ("POST", "/api/projects", {"name": ""}, "name"),
    ("POST", "/api/projects", {"name": "x" * 201}, "name"),
    ("POST", "/api/projects", {"name": "A", "id": "Bad Id"}, "id"),
    ("POST", "/api/projects", {"name": "A", "status": "finished"}, "status"),
    ("POST", "/api/projects", {"name": "A", "estimated_hours": "eight"}, "estimated_hours"),
    ("POST", "/api/projects", {"name": "A", "estimated_hours": -1}, "estimated_hours"),
    ("POST", "/api/projects", {"name": "A", "estimated_hours": "5"}, "estimated_hours"),  # a string is not a number
    ("POST", "/api/projects", {"name": "A", "remaining_hours": True}, "remaining_hours"),
    ("POST", "/api/projects", {"name": "A", "completion_percent": 101}, "completion_percent"),
    ("POST", "/api/projects", {"name": "A", "owner": "me"}, "owner"),
    ("POST", "/api/projects", {"name": "A", "tasks": [{"name": "t", "colour": 1}]}, "tasks.0.colour"),
    ("POST", "/api/projects", {"name": "A", "tasks": [{"id": "t", "name": "a"}, {"id": "t", "name": "b"}]}, "tasks"),
    ("POST", "/api/projects", {"id": "wave-2", "name": "Again"}, "id"),
    ("PATCH", "/api/projects/wave-2", {"status": 3}, "status"),
    ("PATCH", "/api/projects/wave-2", {"tasks": []}, "tasks"),
    ("POST", "/api/projects/wave-2/tasks", {"name": "x", "actual_hours": [1]}, "actual_hours"),
    ("POST", "/api/projects/wave-2/tasks", {"name": "x", "actual_hours": False}, "actual_hours"),
    ("POST", "/api/projects/wave-2/tasks", {"id": "cart", "name": "dup"}, "id"),
    ("PATCH", "/api/projects/wave-2/tasks/cart", {"status": "paused"}, "status"),
    ("PATCH", "/api/projects/wave-2/tasks/cart", {"assigned_to": ["x" * 161]}, "assigned_to.0"),
    ("POST", "/api/blockers", {"instance": "agent-a"}, "description"),
    ("POST", "/api/blockers", {"description": "d", "severity": "urgent"}, "severity"),
    ("POST", "/api/blockers", {"description": "x" * 2001}, "description"),
    ("POST", "/api/blockers", {"description": "d", "project": "nope"}, "project"),
    ("POST", "/api/blockers", {"description": "d", "eta": "soon"}, "eta"),
    ("POST", "/api/blockers/b-known/resolve", {"resolution": "x" * 2001}, "resolution"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD)
async def test_bad_input_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, ctx: AppContext, method: str, path: str, body: Any, field: str
) -> None:
    await client.post("/api/projects", json=WAVE)
    await client.post("/api/blockers", json={"id": "b-known", "description": "known"})
    before = [await count_rows(ctx, model) for model in (Project, Task, Blocker)]
    snapshot = (await client.get("/api/projects/wave-2")).json()["data"]
    response = await client.request(method, path, json=body)
    assert 400 <= response.status_code < 500 and response.status_code != 404, response.text
    envelope = response.json()
    assert envelope["success"] is False
    assert field in [detail["field"] for detail in envelope["details"]], envelope
    assert [await count_rows(ctx, model) for model in (Project, Task, Blocker)] == before
    assert (await client.get("/api/projects/wave-2")).json()["data"] == snapshot
    blockers = (await client.get("/api/blockers")).json()["data"]["blockers"]
    assert [b["resolved_at"] for b in blockers] == [None]


@pytest.mark.parametrize("literal", ["Infinity", "NaN", "-Infinity"])
async def test_non_finite_numbers_are_refused(client: httpx.AsyncClient, ctx: AppContext, literal: str) -> None:
    """Python's JSON reader accepts these literals; JSON does not, nor do PostgreSQL's JSON columns."""
    body = f'{{"name": "A", "estimated_hours": {literal}}}'.encode()
    response = await client.post("/api/projects", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert await count_rows(ctx, Project) == 0


async def test_non_json_body_is_refused(client: httpx.AsyncClient, ctx: AppContext) -> None:
    response = await client.post("/api/projects", content=b"name=x", headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "body"
    assert await count_rows(ctx, Project) == 0
