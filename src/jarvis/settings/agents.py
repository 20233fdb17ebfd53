"""Agents: where the tracker file lives, when an agent counts as stale, timeline retention."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from jarvis.settings.base import Section


class MonitoringSettings(Section):
    dir: Path | None = None
    tracker_file: str = "instance-tracker.json"
    instance_stale_after_s: float = Field(600.0, gt=0)
    event_retention: int = Field(500, ge=10, description="events kept per instance")
