"""The tracker file's state: the last good read, the problem with the file if there is one, change detection.

The file is written by other tools, sometimes mid-write when we read it, and the path may be deleted or
replaced by anything (`read.py` refuses what is not a small regular JSON file). Whatever goes wrong, the
last good data stays and the problem is said: `status()` (the `instances` section's `tracker`, and its
`source_errors`), and one log line per change of problem, not one per poll. Instances and projects both
read the state through `tracker_of`; parsing lives in `parse.py`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.extras import Key
from jarvis.settings.agents import TRACKER_MAX_BYTES
from jarvis.tracker.parse import TrackerData, parse_tracker
from jarvis.tracker.read import TrackerFileMissing, TrackerFileProblem, read_document

log = structlog.get_logger("jarvis.tracker")

__all__ = ["TRACKER", "TrackerData", "TrackerState", "tracker_of"]

WARNINGS_SHOWN = 20
NEVER_THERE = (
    "there is no file at this path; check monitoring.dir and monitoring.tracker_file, or start the agents that write it"
)
GONE = (
    "the file is gone (deleted or moved); the agents and projects shown are from its last good read: "
    "restore the file, or write {} into it to clear them"
)


class TrackerState:
    """The last good read of the file, the file's current problem (and since when), and change detection."""

    def __init__(self, path: Path | None, *, max_bytes: int = TRACKER_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.data = TrackerData()
        self.loaded_at: datetime | None = None  # the last good read
        self.problem: str | None = None
        self.problem_since: datetime | None = None
        self.warnings: list[str] = []  # the fields and entries the last good read skipped
        self._signature: tuple[int, int] | None = None
        self._checked = False

    @property
    def error(self) -> dict[str, Any] | None:
        """The problem as a `source_errors` entry (`at` is when it began), or None."""
        if self.problem is None:
            return None
        since = clock.iso(self.problem_since)
        return {
            "source": "tracker",
            "file": str(self.path),
            "error": self.problem,
            "at": since,
            "since": since,
            "last_good_at": clock.iso(self.loaded_at),
        }

    def status(self) -> dict[str, Any] | None:
        """What a person needs to know about the file (None without `monitoring.dir`)."""
        if self.path is None:
            return None
        return {
            "file": str(self.path),
            "ok": self.problem is None,
            "problem": self.problem,
            "since": clock.iso(self.problem_since),
            "last_good_at": clock.iso(self.loaded_at),
            "warnings": self.warnings[:WARNINGS_SHOWN],
        }

    def _stat(self) -> tuple[int, int] | None:
        assert self.path is not None
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    async def poll(self) -> tuple[TrackerData, TrackerData] | None:
        """Re-read if the file's mtime or size changed; returns (before, after) when the data changed."""
        if self.path is None:
            return None
        signature = await asyncio.to_thread(self._stat)
        if signature == self._signature and self._checked:
            return None
        return await self.reload()

    async def reload(self) -> tuple[TrackerData, TrackerData] | None:
        """Read the file now; returns (before, after) when the good data changed. A file that cannot be used
        keeps the last good data and records the problem."""
        if self.path is None:
            return None
        path = self.path
        self._signature = await asyncio.to_thread(self._stat)
        self._checked = True
        try:
            raw = await asyncio.to_thread(read_document, path, max_bytes=self.max_bytes)
            data, warnings = parse_tracker(raw)
        except TrackerFileMissing:
            self._fail(GONE if self.loaded_at is not None else NEVER_THERE)
            return None
        except (TrackerFileProblem, ValueError) as exc:
            self._fail(str(exc))
            return None
        for warning in warnings[:WARNINGS_SHOWN]:
            log.warning("tracker_field_skipped", file=str(path), problem=warning)
        if self.problem is not None:
            log.info("tracker_recovered", file=str(path), problem_was=self.problem)
        self.problem = self.problem_since = None
        self.warnings = warnings
        self.loaded_at = clock.now()
        before, self.data = self.data, data
        return (before, data) if before != data else None

    def _fail(self, message: str) -> None:
        message = message[:500]
        if self.problem == message:
            return  # the same problem again: it was said when it began
        self.problem, self.problem_since = message, clock.now()
        log.warning(
            "tracker_unreadable",
            file=str(self.path),
            error=message,
            since=clock.iso(self.problem_since),
            last_good_at=clock.iso(self.loaded_at),
        )


TRACKER = Key[TrackerState]("tracker")


def tracker_of(ctx: AppContext) -> TrackerState:
    """The app's tracker state (an empty one if the instances domain is not installed)."""
    return ctx.extras.get(TRACKER) or TrackerState(None)
