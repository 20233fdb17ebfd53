"""Fixtures for the agent-fleet tests: settings with a monitoring folder, tracker helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from jarvis.core.context import AppContext
from jarvis.settings import Settings
from tests.conftest import make_settings

DESIGN_EXAMPLE: dict[str, Any] = {
    "metadata": {"updated": "2025-10-08T18:27:30Z", "project": "shop"},
    "instances": {
        "agent-a": {
            "role": "Backend",
            "status": "active",
            "current_task": "Orders API",
            "branch": "feat/x",
            "last_commit": {"hash": "1a2b3c4", "message": "Add orders", "timestamp": "2025-10-08T18:00:00Z"},
        }
    },
    "projects": {
        "wave-1": {
            "name": "Wave 1: Foundation",
            "status": "completed",
            "completion_percent": 100,
            "estimated_hours": 8,
            "actual_hours": 6,
            "remaining_hours": 0,
            "assigned_to": "agent-a,agent-b",
            "tasks": [{"id": "t1", "name": "Schema", "status": "completed", "estimated_hours": 2, "actual_hours": 1.5}],
        }
    },
    "metrics": {
        "tasks_completed": 0,
        "tasks_in_progress": 0,
        "tasks_pending": 0,
        "blockers_count": 0,
        "total_estimated_hours": 0,
        "total_actual_hours": 0,
        "efficiency_ratio": "1.4",
    },
    "blockers": [
        {
            "id": "b1",
            "instance": "agent-a",
            "description": "Waiting on API keys",
            "severity": "critical",
            "opened": "2025-10-08T16:27:30Z",
        }
    ],
}


@pytest.fixture
def monitoring_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "monitoring"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path: Path, db_url: str, monitoring_dir: Path) -> Settings:
    return make_settings(tmp_path, database_url=db_url, monitoring={"dir": str(monitoring_dir), "event_retention": 10})


def write_tracker(folder: Path, content: dict[str, Any] | str) -> Path:
    path = folder / "instance-tracker.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


async def count_rows(ctx: AppContext, model: Any) -> int:
    async with ctx.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
