"""The tracker file's state: the last good read, the error of the latest failed one, change detection.

The file is written by other tools, sometimes mid-write when we read it. A file that does
not parse keeps the last good data and records one error (shown as `source_errors`).
Instances and projects both read it through `tracker_of`; parsing lives in `parse.py`.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.extras import Key
from jarvis.tracker.parse import MAX_FILE_BYTES, TrackerData, parse_tracker

log = structlog.get_logger("jarvis.tracker")

__all__ = ["TRACKER", "TrackerData", "TrackerState", "tracker_of"]


class TrackerState:
    """The last good read of the file, its error if the latest read failed, and change detection."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data = TrackerData()
        self.error: dict[str, Any] | None = None
        self.loaded_at: datetime | None = None
        self._signature: tuple[int, int] | None = None

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
        if signature == self._signature and self.loaded_at is not None:
            return None
        return await self.reload()

    async def reload(self) -> tuple[TrackerData, TrackerData] | None:
        """Read the file now; returns (before, after) when the good data changed."""
        if self.path is None:
            return None
        path = self.path
        self._signature = await asyncio.to_thread(self._stat)
        before = self.data
        try:
            raw = await asyncio.to_thread(_read, path)
        except FileNotFoundError:
            self.error = None
            self.data = TrackerData()
            self.loaded_at = clock.now()
            return (before, self.data) if before != self.data else None
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            self._fail(str(exc))
            return None
        try:
            data, warnings = parse_tracker(raw)
        except ValueError as exc:
            self._fail(str(exc))
            return None
        for warning in warnings[:20]:
            log.warning("tracker_field_skipped", file=str(path), problem=warning)
        if self.error is not None:
            log.info("tracker_recovered", file=str(path))
        self.error = None
        self.loaded_at = clock.now()
        self.data = data
        return (before, data) if before != data else None

    def _fail(self, message: str) -> None:
        message = message[:500]
        if self.error is not None and self.error["error"] == message:
            return  # the same failure again: one warning is enough
        log.warning("tracker_unreadable", file=str(self.path), error=message)
        self.error = {"source": "tracker", "file": str(self.path), "error": message, "at": clock.iso(clock.now())}


def _read(path: Path) -> Any:
    with path.open("rb") as handle:
        content = handle.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ValueError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if not content.strip():
        raise ValueError("the file is empty (being written?)")
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None


TRACKER = Key[TrackerState]("tracker")


def tracker_of(ctx: AppContext) -> TrackerState:
    """The app's tracker state (an empty one if the instances domain is not installed)."""
    return ctx.extras.get(TRACKER) or TrackerState(None)
