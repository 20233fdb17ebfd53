"""The tracker file: shown through the API, re-read on change, lenient per field, safe when malformed."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
from structlog.testing import capture_logs

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.instances import collector
from jarvis.tracker.service import TRACKER
from tests.instances.conftest import DESIGN_EXAMPLE, write_tracker

JUST_AFTER = datetime(2025, 10, 8, 18, 30, tzinfo=UTC)
# The section contracts shared with the web pages, chat and proactive: exactly these keys.
INSTANCE_KEYS = {
    "id", "name", "source", "role", "status", "current_task", "current_tool", "last_prompt", "branch", "repo",
    "cwd", "host", "session_id", "last_commit", "last_seen", "open_blockers", "status_since", "status_detail",
    "short_id", "model", "start_source", "last_event", "subagents", "attention",
    "cost_usd", "tokens",
}  # fmt: skip
PROJECT_KEYS = {
    "id", "name", "status", "completion_percent", "tasks_done", "tasks_total", "estimated_hours", "actual_hours",
    "remaining_hours", "assigned_to", "tasks",
}  # fmt: skip


async def test_design_example_is_shown_through_the_api(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    frozen_clock.set(JUST_AFTER)
    write_tracker(monitoring_dir, DESIGN_EXAMPLE)
    await ctx.runtime.run_once(collector.JOB)

    data = (await client.get("/api/sections/instances")).json()["data"]
    assert set(data) == {"instances", "attention", "metrics", "blockers", "source_errors", "tracker", "timestamp"}
    [agent] = data["instances"]
    assert set(agent) == INSTANCE_KEYS
    assert agent["id"] == "agent-a" and agent["source"] == "tracker"
    assert agent["role"] == "Backend" and agent["status"] == "active" and agent["branch"] == "feat/x"
    assert agent["current_task"] == "Orders API"
    assert agent["last_commit"] == {"hash": "1a2b3c4", "message": "Add orders", "timestamp": "2025-10-08T18:00:00Z"}
    assert agent["last_seen"] == "2025-10-08T18:27:30Z"
    assert agent["open_blockers"] == 1
    metrics = data["metrics"]
    assert metrics["tasks_completed"] == 1 and metrics["tasks_in_progress"] == 0 and metrics["tasks_pending"] == 0
    assert metrics["blockers_count"] == 1
    assert metrics["total_estimated_hours"] == 8 and metrics["total_actual_hours"] == 6
    assert metrics["efficiency_ratio"] == 0.75  # derived from the hours, not the file's stale "1.4"
    assert metrics["overall_completion"] == 100
    assert metrics["active_instances"] == 1 and metrics["total_instances"] == 1
    [blocker] = data["blockers"]
    assert blocker["id"] == "tracker-b1" and blocker["severity"] == "critical"
    assert blocker["opened_at"] == "2025-10-08T16:27:30Z" and blocker["age_hours"] == 2.0
    assert data["source_errors"] == []
    assert data["tracker"] == {
        "file": str(monitoring_dir / "instance-tracker.json"),
        "ok": True,
        "problem": None,
        "since": None,
        "last_good_at": "2025-10-08T18:30:00Z",
        "warnings": [],
    }

    waves = (await client.get("/api/sections/waves")).json()["data"]
    assert waves["projects"] == []
    [wave] = waves["waves"]
    assert set(wave) == PROJECT_KEYS
    assert wave["id"] == "wave-1" and wave["name"] == "Wave 1: Foundation"
    assert wave["status"] == "completed" and wave["completion_percent"] == 100
    assert wave["tasks_done"] == 1 and wave["tasks_total"] == 1
    assert wave["estimated_hours"] == 8 and wave["actual_hours"] == 6 and wave["remaining_hours"] == 0
    assert wave["assigned_to"] == ["agent-a", "agent-b"]
    assert wave["tasks"][0] == {
        "id": "t1",
        "name": "Schema",
        "status": "completed",
        "estimated_hours": 2.0,
        "actual_hours": 1.5,
        "assigned_to": [],
    }


async def test_a_tracker_instance_not_updated_for_long_is_stale(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    write_tracker(monitoring_dir, DESIGN_EXAMPLE)  # metadata.updated is a year before the frozen clock
    await collector.reload(ctx)
    [agent] = (await client.get("/api/sections/instances")).json()["data"]["instances"]
    assert agent["status"] == "stale"


async def test_half_written_file_keeps_last_good_data_and_reports_once(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    frozen_clock.set(JUST_AFTER)
    good = json.dumps(DESIGN_EXAMPLE)
    path = write_tracker(monitoring_dir, good)
    await collector.reload(ctx)
    with capture_logs() as logs:
        write_tracker(monitoring_dir, good[: len(good) // 2])
        await collector.reload(ctx)
        await collector.reload(ctx)  # the same failure again: no second warning
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert len(warnings) == 1
    assert warnings[0]["file"] == str(path) and "not valid JSON" in warnings[0]["error"]

    data = (await client.get("/api/sections/instances")).json()["data"]
    assert [i["id"] for i in data["instances"]] == ["agent-a"]
    [error] = data["source_errors"]
    assert error["source"] == "tracker" and error["file"] == str(path) and "not valid JSON" in error["error"]
    assert (await client.get("/api/sections/waves")).json()["data"]["waves"][0]["id"] == "wave-1"

    write_tracker(monitoring_dir, {**DESIGN_EXAMPLE, "instances": {"agent-b": {"status": "idle"}}})
    await collector.reload(ctx)
    data = (await client.get("/api/sections/instances")).json()["data"]
    assert data["source_errors"] == []
    assert [i["id"] for i in data["instances"]] == ["agent-b"]


async def test_empty_and_non_object_files_are_errors_not_data(ctx: AppContext, monitoring_dir: Path) -> None:
    state = ctx.extras[TRACKER]
    write_tracker(monitoring_dir, "")
    await state.reload()
    assert state.error is not None and "empty" in state.error["error"]
    write_tracker(monitoring_dir, "[1, 2]")
    await state.reload()
    assert state.error is not None and "JSON object" in state.error["error"]


async def test_a_changed_file_is_re_read_by_the_poll_job(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    frozen_clock.set(JUST_AFTER)
    write_tracker(monitoring_dir, DESIGN_EXAMPLE)
    await ctx.runtime.run_once(collector.JOB)
    assert (await client.get("/api/sections/instances")).json()["data"]["instances"][0]["status"] == "active"

    changed = json.loads(json.dumps(DESIGN_EXAMPLE))
    changed["instances"]["agent-a"]["status"] = "blocked"
    changed["instances"]["agent-a"]["current_task"] = "Waiting on the payment provider"
    write_tracker(monitoring_dir, changed)
    subscription = ctx.hub.subscribe(["instance.updated"])
    await ctx.runtime.run_once(collector.JOB)
    event = await asyncio.wait_for(subscription.get(), 1)
    assert event is not None and event.data["id"] == "agent-a" and event.data["status"] == "blocked"
    [agent] = (await client.get("/api/sections/instances")).json()["data"]["instances"]
    assert agent["status"] == "blocked" and agent["current_task"] == "Waiting on the payment provider"

    # An unchanged file is not re-read (no event, no work).
    await ctx.runtime.run_once(collector.JOB)
    assert subscription.queue.empty()


async def test_blockers_appearing_and_disappearing_are_announced(ctx: AppContext, monitoring_dir: Path) -> None:
    write_tracker(monitoring_dir, {**DESIGN_EXAMPLE, "blockers": []})
    await collector.reload(ctx)
    subscription = ctx.hub.subscribe(["blocker.*"])
    write_tracker(monitoring_dir, DESIGN_EXAMPLE)
    await collector.reload(ctx)
    opened = await asyncio.wait_for(subscription.get(), 1)
    assert opened is not None and opened.type == "blocker.opened" and opened.data["id"] == "tracker-b1"
    write_tracker(monitoring_dir, {**DESIGN_EXAMPLE, "blockers": [{**DESIGN_EXAMPLE["blockers"][0], "resolved": True}]})
    await collector.reload(ctx)
    resolved = await asyncio.wait_for(subscription.get(), 1)
    assert resolved is not None and resolved.type == "blocker.resolved" and resolved.data["id"] == "tracker-b1"


async def test_fields_of_the_wrong_type_are_skipped_with_a_warning(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    moment = int(frozen_clock.current.timestamp())
    content = {
        "metadata": "not an object",
        "instances": {
            "agent-x": {"role": ["not", "text"], "status": "idle", "branch": "main", "last_seen": str(moment * 1000)},
            "agent-y": "not an object",
        },
        "projects": {
            "api-v2": {
                "name": "API v2",
                "estimated_hours": "12",
                "actual_hours": "lots",
                "assigned_to": ["agent-x"],
                "tasks": [
                    {"id": "a", "status": "in-progress", "estimated_hours": "4"},
                    {"id": "b", "status": "todo", "estimated_hours": 8, "assigned_to": "agent-x"},
                    "garbage",
                ],
            }
        },
        "blockers": {"k1": {"description": "Flaky CI", "opened": 1764072000}},
    }
    write_tracker(monitoring_dir, content)
    with capture_logs() as logs:
        await collector.reload(ctx)
    problems = " | ".join(entry["problem"] for entry in logs if entry["event"] == "tracker_field_skipped")
    for where in ("metadata", "instances.agent-x.role", "instances[agent-y]", "actual_hours", "tasks[2]"):
        assert where in problems

    data = (await client.get("/api/sections/instances")).json()["data"]
    [agent] = data["instances"]
    assert agent["id"] == "agent-x" and agent["role"] is None and agent["status"] == "idle"
    assert agent["last_seen"] == clock.iso(frozen_clock.current)
    assert data["blockers"][0]["opened_at"] == "2025-11-25T12:00:00Z"
    [project] = (await client.get("/api/sections/waves")).json()["data"]["projects"]
    assert project["estimated_hours"] == 12 and project["actual_hours"] is None
    assert project["status"] == "in_progress" and project["completion_percent"] == 0
    assert project["remaining_hours"] == 12
    assert [t["status"] for t in project["tasks"]] == ["in_progress", "pending"]
    assert data["metrics"]["efficiency_ratio"] is None  # no actual hours anywhere: no ratio invented
    assert data["metrics"]["tasks_in_progress"] == 1 and data["metrics"]["tasks_pending"] == 1


async def test_no_monitoring_dir_means_no_tracker_job(tmp_path: Path) -> None:
    from jarvis.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db"), run_jobs=False)
    async with app.router.lifespan_context(app):
        assert collector.JOB not in app.state.ctx.runtime.jobs
