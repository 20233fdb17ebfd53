"""Agents: where the tracker file lives, when an agent counts as stale, timeline retention, attention."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from jarvis.settings.base import Section

TRACKER_MAX_BYTES = 10 * 1024 * 1024


class MonitoringSettings(Section):
    dir: Path | None = None
    tracker_file: str = "instance-tracker.json"
    # The poll reads at most this much of the tracker file: a bigger one is refused (and said), never read
    # whole into memory every second. The original system's files are a few KiB.
    tracker_max_bytes: int = Field(TRACKER_MAX_BYTES, ge=1024, description="a larger tracker file is not read")
    instance_stale_after_s: float = Field(600.0, gt=0)
    event_retention: int = Field(500, ge=10, description="events kept per instance")


class AttentionSettings(Section):
    """When a session needs someone: see docs/agents.md."""

    silent_after_s: float = Field(120.0, gt=0, description="a working session with no event this long is `silent`")
    notify_after_s: float = Field(60.0, ge=0, description="a session waiting this long notifies the channels")
    notify_cooldown_s: float = Field(600.0, ge=0, description="at most one attention alert per session this often")
    archive_ended_after_s: float = Field(3600.0, gt=0, description="ended sessions are archived after this long")
