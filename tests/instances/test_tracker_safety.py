"""The tracker file cannot hurt the server: a pipe, a device, a huge or deeply nested file, a bad timestamp,
a deleted file. Each is refused or skipped with a message that says what to do, the last good data stays,
the poll job goes on, and the problem is shown (the section's `tracker`, the page) and logged once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.instances import collector
from jarvis.settings import Settings
from jarvis.tracker import parse, read
from jarvis.tracker.service import TRACKER
from tests.conftest import make_settings
from tests.instances.conftest import DESIGN_EXAMPLE, write_tracker

T0 = datetime(2025, 10, 8, 18, 30, tzinfo=UTC)
MAX_BYTES = 256 * 1024  # room for the 100,000-deep file (200 KB), small enough to go over cheaply
BOUND_S = 5.0  # a read that has not returned by then is blocked (the fixed code answers in milliseconds)


@pytest.fixture
def settings(tmp_path: Path, db_url: str, monitoring_dir: Path) -> Settings:
    return make_settings(
        tmp_path, database_url=db_url, monitoring={"dir": str(monitoring_dir), "tracker_max_bytes": MAX_BYTES}
    )


@contextlib.contextmanager
def releasing(path: Path) -> Iterator[None]:
    """Afterwards, let go of a reader stuck opening the pipe at `path` (the bug), so that a failing test
    fails instead of leaving a thread blocked for ever."""
    try:
        yield
    finally:
        with contextlib.suppress(OSError):  # ENXIO: nobody is waiting to read, as it should be
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


@contextlib.contextmanager
def fifo_at(path: Path) -> Iterator[Path]:
    """A real named pipe in place of the file at `path`."""
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    with releasing(path):
        yield path


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


async def poll(ctx: AppContext) -> None:
    """One run of the real poll job, bounded."""
    await asyncio.wait_for(ctx.runtime.run_once(collector.JOB), BOUND_S)


async def section(client: httpx.AsyncClient) -> dict[str, Any]:
    data: dict[str, Any] = (await client.get("/api/sections/instances")).json()["data"]
    return data


async def good_file_read_at_t0(ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock) -> Path:
    frozen_clock.set(T0)
    path = write_tracker(monitoring_dir, DESIGN_EXAMPLE)
    await poll(ctx)
    assert ctx.extras[TRACKER].status() == {
        "file": str(path),
        "ok": True,
        "problem": None,
        "since": None,
        "last_good_at": "2025-10-08T18:30:00Z",
        "warnings": [],
    }
    frozen_clock.advance(60)
    return path


async def test_a_fifo_in_place_of_the_file_is_refused_without_blocking_the_poll(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    path = await good_file_read_at_t0(ctx, monitoring_dir, frozen_clock)
    with fifo_at(path), capture_logs() as logs:
        await poll(ctx)
        await poll(ctx)  # still a pipe: not said twice

    assert ctx.runtime.jobs[collector.JOB].failures == 0
    data = await section(client)
    assert [i["id"] for i in data["instances"]] == ["agent-a"]  # the last good data stays
    tracker = data["tracker"]
    assert tracker["ok"] is False and tracker["file"] == str(path)
    assert tracker["problem"] == (
        "the path is a named pipe (FIFO), not a regular file, so it is not read; replace it with a regular JSON file"
    )
    assert tracker["since"] == "2025-10-08T18:31:00Z" and tracker["last_good_at"] == "2025-10-08T18:30:00Z"
    [error] = data["source_errors"]
    assert error["error"] == tracker["problem"] and error["last_good_at"] == "2025-10-08T18:30:00Z"
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert [w["event"] for w in warnings] == ["tracker_unreadable"] and warnings[0]["error"] == tracker["problem"]


async def test_a_fifo_swapped_in_between_the_check_and_the_open_does_not_block(
    monitoring_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_tracker(monitoring_dir, DESIGN_EXAMPLE)
    checked = read.precheck

    def check_then_swap(target: Path, *, max_bytes: int) -> None:
        checked(target, max_bytes=max_bytes)  # a regular file when looked at...
        target.unlink()
        os.mkfifo(target)  # ...a pipe when opened

    monkeypatch.setattr(read, "precheck", check_then_swap)
    with releasing(path), pytest.raises(read.TrackerFileProblem, match="named pipe"):
        await asyncio.wait_for(asyncio.to_thread(read.read_bytes, path, max_bytes=MAX_BYTES), BOUND_S)


async def test_a_directory_is_not_a_tracker_file(ctx: AppContext, monitoring_dir: Path) -> None:
    (monitoring_dir / "instance-tracker.json").mkdir()
    await poll(ctx)
    problem = ctx.extras[TRACKER].problem
    assert problem is not None and problem.startswith("the path is a directory, not a regular file")


async def test_a_file_over_the_size_setting_is_not_read(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    await good_file_read_at_t0(ctx, monitoring_dir, frozen_clock)
    assert ctx.extras[TRACKER].max_bytes == MAX_BYTES  # monitoring.tracker_max_bytes reaches the reader
    write_tracker(monitoring_dir, {**DESIGN_EXAMPLE, "padding": "x" * MAX_BYTES})
    await poll(ctx)

    data = await section(client)
    assert [i["id"] for i in data["instances"]] == ["agent-a"]
    assert data["tracker"]["problem"] == (
        "the file is larger than 256 KiB (monitoring.tracker_max_bytes), so it is not read; "
        "shrink it (archive old projects) or raise that setting"
    )


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,  # beyond the JSON parser's recursion
        json.dumps({"instances": {"agent-z": {"role": nested(40)}}}),  # parses, but deeper than we take
    ],
    ids=["100000-deep", "40-deep"],
)
async def test_deep_nesting_is_refused_with_a_reason_and_the_job_goes_on(
    client: httpx.AsyncClient,
    ctx: AppContext,
    monitoring_dir: Path,
    frozen_clock: clock.FrozenClock,
    content: str,
) -> None:
    await good_file_read_at_t0(ctx, monitoring_dir, frozen_clock)
    write_tracker(monitoring_dir, content)
    await poll(ctx)

    assert ctx.runtime.jobs[collector.JOB].failures == 0
    data = await section(client)
    assert [i["id"] for i in data["instances"]] == ["agent-a"]
    assert data["tracker"]["ok"] is False and data["tracker"]["since"] == "2025-10-08T18:31:00Z"
    assert data["tracker"]["problem"].startswith(f"the JSON is nested deeper than {read.MAX_DEPTH} levels")
    assert "replace it with a regular tracker file" in data["tracker"]["problem"]


async def test_one_bad_timestamp_costs_that_field_only(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    frozen_clock.set(T0)
    content = {
        "metadata": {"updated": "2025-10-08T18:27:30Z"},
        "instances": {
            "agent-a": {"status": "active", "last_seen": "²"},  # isdigit() says yes, float() says no
            "agent-b": {"status": "idle", "last_commit": {"hash": "abc", "timestamp": "9999-12-31T23:59:59-01:00"}},
            "agent-c": {"status": "blocked", "last_seen": "2025-10-08T18:29:00Z"},
        },
        "blockers": [{"id": "b1", "instance": "agent-c", "description": "Keys", "opened": 10**400}],
        "metrics": {"total_actual_hours": "MAX_DIGITS"},
    }
    # 5000 digits: past Python's int limit (4300), which would fail the whole decode
    write_tracker(monitoring_dir, json.dumps(content).replace('"MAX_DIGITS"', "9" * 5000))
    with capture_logs() as logs:
        await poll(ctx)

    data = await section(client)
    seen = {i["id"]: i["last_seen"] for i in data["instances"]}
    assert seen == {
        "agent-a": "2025-10-08T18:27:30Z",  # unknown: the file's metadata.updated stands in
        "agent-b": "2025-10-08T18:27:30Z",
        "agent-c": "2025-10-08T18:29:00Z",
    }
    [agent_b] = [i for i in data["instances"] if i["id"] == "agent-b"]
    assert agent_b["last_commit"] == {"hash": "abc", "message": None, "timestamp": None}
    [blocker] = data["blockers"]
    assert blocker["id"] == "tracker-b1" and blocker["opened_at"] is None
    tracker = data["tracker"]
    assert tracker["ok"] is True and tracker["problem"] is None
    hint = "(treated as unknown; write ISO 8601 or epoch seconds)"
    assert tracker["warnings"] == [
        f"instances.agent-a.last_seen: not a timestamp: '²' {hint}",
        f"instances.agent-b.last_commit.timestamp: not a timestamp: '9999-12-31T23:59:59-01:00' {hint}",
        f"blockers[0].opened: not a timestamp: inf {hint}",  # 401 digits: read as a float
        "metrics.total_actual_hours: expected a number, got inf (ignored; write a plain number)",
    ]
    logged = [entry["problem"] for entry in logs if entry["event"] == "tracker_field_skipped"]
    assert logged == tracker["warnings"]


async def test_an_entry_that_fails_unforeseen_is_skipped_alone(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    normalise = parse._instance

    def failing_for_b(reader: Any, where: str, raw: dict[str, Any]) -> dict[str, Any]:
        if where == "instances.agent-b":
            raise OverflowError("date value out of range")
        return normalise(reader, where, raw)

    monkeypatch.setattr(parse, "_instance", failing_for_b)
    write_tracker(monitoring_dir, {"instances": {"agent-a": {}, "agent-b": {}, "agent-c": {}}})
    await poll(ctx)

    data = await section(client)
    assert sorted(i["id"] for i in data["instances"]) == ["agent-a", "agent-c"]
    assert data["tracker"]["warnings"] == [
        "instances.agent-b: entry skipped (OverflowError: date value out of range); fix this entry in the file"
    ]


async def test_a_deleted_file_keeps_the_last_good_data_and_says_since_when(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    path = await good_file_read_at_t0(ctx, monitoring_dir, frozen_clock)
    with capture_logs() as logs:
        path.unlink()
        await poll(ctx)
        frozen_clock.advance(30)
        await poll(ctx)  # still gone: said once

        data = await section(client)
        assert [i["id"] for i in data["instances"]] == ["agent-a"]
        assert (await client.get("/api/sections/waves")).json()["data"]["waves"][0]["id"] == "wave-1"
        assert data["tracker"] == {
            "file": str(path),
            "ok": False,
            "problem": (
                "the file is gone (deleted or moved); the agents and projects shown are from its last good read: "
                "restore the file, or write {} into it to clear them"
            ),
            "since": "2025-10-08T18:31:00Z",
            "last_good_at": "2025-10-08T18:30:00Z",
            "warnings": [],
        }
        page = (await client.get("/fragments/instances")).text
        assert "the file is gone" in page and 'datetime="2025-10-08T18:31:00Z"' in page
        assert "Showing data from" in page and 'datetime="2025-10-08T18:30:00Z"' in page

        write_tracker(monitoring_dir, {"instances": {"agent-b": {"status": "idle"}}})
        await poll(ctx)
    events = [(entry["event"], entry["log_level"]) for entry in logs]
    assert events.count(("tracker_unreadable", "warning")) == 1 and ("tracker_recovered", "info") in events
    data = await section(client)
    assert [i["id"] for i in data["instances"]] == ["agent-b"]
    assert data["tracker"]["ok"] is True and data["tracker"]["since"] is None
    assert data["tracker"]["last_good_at"] == "2025-10-08T18:31:30Z" and data["source_errors"] == []


async def test_a_file_that_never_existed_is_said_too(client: httpx.AsyncClient, ctx: AppContext) -> None:
    await poll(ctx)
    tracker = (await section(client))["tracker"]
    assert tracker["ok"] is False and tracker["last_good_at"] is None
    assert tracker["problem"] == (
        "there is no file at this path; check monitoring.dir and monitoring.tracker_file, "
        "or start the agents that write it"
    )


async def test_an_invalid_file_after_a_good_one_keeps_the_data(
    client: httpx.AsyncClient, ctx: AppContext, monitoring_dir: Path, frozen_clock: clock.FrozenClock
) -> None:
    await good_file_read_at_t0(ctx, monitoring_dir, frozen_clock)
    (monitoring_dir / "instance-tracker.json").write_bytes(b'{"instances": "\xff"}')
    await poll(ctx)
    data = await section(client)
    assert [i["id"] for i in data["instances"]] == ["agent-a"]
    assert data["tracker"]["problem"] == "the file is not UTF-8 text; save it as UTF-8 JSON"
