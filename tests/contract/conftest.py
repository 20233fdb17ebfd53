"""The seed's contract: a live server reading a real tracker file in MONITORING_DIR, as the original's
own API tests set it up (instances keyed by id, `wave-*` projects, metrics, blockers), and the
helpers that pin a shape (keys and types, as the original's clients read them)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.app import create_app
from tests.conftest import LiveServer, make_settings

# As the original's tests wrote it (and DESIGN's tracker format): numbers, some as strings.
TRACKER: dict[str, Any] = {
    "metadata": {"updated": "2025-10-08T18:27:30Z", "project": "jarvis"},
    "instances": {
        "instance-1": {
            "role": "Frontend Developer",
            "status": "active",
            "current_task": "Building dashboard UI",
            "branch": "feature/dashboard",
            "last_commit": {
                "hash": "abc123",
                "message": "Add dashboard components",
                "timestamp": "2025-10-08T18:00:00Z",
            },
        },
        "instance-2": {
            "role": "Backend Developer",
            "status": "pending",
            "current_task": "API optimization",
            "branch": "feature/api",
        },
    },
    "projects": {
        "wave-1": {
            "name": "Wave 1: Foundation",
            "status": "completed",
            "completion_percent": 100,
            "estimated_hours": 8,
            "actual_hours": 6,
            "remaining_hours": 0,
            "assigned_to": "instance-1",
            "tasks": [
                {"id": "t1", "name": "Scaffold", "status": "completed", "estimated_hours": 2, "actual_hours": 1.5}
            ],
        },
        "wave-2": {
            "name": "Wave 2: API",
            "status": "in_progress",
            "completion_percent": "50",
            "estimated_hours": 10,
            "actual_hours": 4,
            "remaining_hours": 6,
            "assigned_to": "instance-1,instance-2",
            "tasks": [
                {"id": "t2", "name": "Endpoints", "status": "completed"},
                {"id": "t3", "name": "Docs", "status": "pending"},
            ],
        },
        "side-quest": {"name": "Side quest", "status": "pending", "completion_percent": 0},
    },
    "metrics": {
        "tasks_completed": 16,
        "tasks_in_progress": 3,
        "tasks_pending": 2,
        "blockers_count": 1,
        "total_estimated_hours": 18,
        "total_actual_hours": 10,
        "efficiency_ratio": "1.54",
    },
    "blockers": [
        {
            "id": "b1",
            "instance": "instance-2",
            "description": "Waiting for API deployment",
            "severity": "critical",
            "opened": "2025-10-08T17:00:00Z",
        }
    ],
}


class Nullable:
    """A key the seed always sent as this type, that we send as null when we have no input for it."""

    def __init__(self, kind: type | tuple[type, ...]) -> None:
        self.kind = kind


NUMBER = (int, float)


def assert_shape(value: Any, spec: Any, path: str = "data") -> None:
    """`spec` is a type, a tuple of types, `Nullable(type)`, a dict of key → spec (extra keys allowed:
    ours), or a one-element list (every item has that spec). Booleans are not numbers."""
    if isinstance(spec, Nullable):
        if value is not None:
            assert_shape(value, spec.kind, path)
        return
    if isinstance(spec, dict):
        assert isinstance(value, dict), f"{path}: {type(value).__name__}, want an object"
        for key, inner in spec.items():
            assert key in value, f"{path}.{key} is missing"
            assert_shape(value[key], inner, f"{path}.{key}")
        return
    if isinstance(spec, list):
        assert isinstance(value, list), f"{path}: {type(value).__name__}, want a list"
        for n, item in enumerate(value):
            assert_shape(item, spec[0], f"{path}[{n}]")
        return
    kinds = spec if isinstance(spec, tuple) else (spec,)
    assert isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds), (
        f"{path}: {value!r} is {type(value).__name__}, want {'/'.join(k.__name__ for k in kinds)}"
    )


def poll(check: Callable[[], Any], timeout_s: float = 10.0) -> Any:
    """Call `check` until it returns something truthy (bounded), and return that."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def start_seed_server(root: Path, template: Path, **settings: Any) -> LiveServer:
    monitoring = root / "monitoring"
    monitoring.mkdir(parents=True, exist_ok=True)
    (monitoring / "instance-tracker.json").write_text(json.dumps(TRACKER))
    target = root / "data" / "jarvis.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)
    config = make_settings(
        root, database_url=f"sqlite+aiosqlite:///{target}", monitoring={"dir": str(monitoring)}, **settings
    )
    return LiveServer(create_app(config, migrate=False))


@pytest.fixture(scope="module")
def seed_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[LiveServer]:
    """One server for the module, as the original's suite shared one app; its tracker is read once loaded."""
    with start_seed_server(tmp_path_factory.mktemp("seed"), sqlite_template) as server:

        def tracker_loaded() -> bool:
            data = httpx.get(server.url + "/api/dashboard/instances", timeout=5).json()["data"]
            return len(data["instances"]) == 2

        poll(tracker_loaded)
        yield server


@pytest.fixture
def http(seed_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=seed_server.url, timeout=10) as client:
        yield client
