"""Maintenance windows: when a service may be down without anyone being told.

During a window the service's checks still run (its page shows what they see, marked "maintenance"),
but their results are not stored, so uptime does not count the window, and no alert goes out. A window
is one-off (`starts_at` … `ends_at`) or recurring (`cron` in the server's UTC, each occurrence lasting
`duration_s`), for some services or, with an empty list, for all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jarvis.core import clock
from jarvis.health.models import MaintenanceWindow

MAX_WINDOWS = 500


@dataclass(frozen=True, slots=True)
class Window:
    id: int
    services: tuple[str, ...]
    starts_at: datetime | None
    ends_at: datetime | None
    cron: str | None
    duration_s: float | None
    reason: str | None

    @classmethod
    def of(cls, row: MaintenanceWindow) -> Window:
        return cls(
            row.id,
            tuple(row.services),
            row.starts_at,
            row.ends_at,
            row.cron,
            row.duration_s,
            row.reason,
        )

    def covers(self, name: str) -> bool:
        return not self.services or name in self.services

    def active_until(self, now: datetime) -> datetime | None:
        """When the occurrence under way at `now` ends, or None when none is."""
        if self.cron is not None and self.duration_s is not None:
            start: datetime = croniter(self.cron, now + timedelta(microseconds=1)).get_prev(datetime)
            end = start + timedelta(seconds=self.duration_s)
            return end if start <= now < end else None
        if self.starts_at is not None and self.ends_at is not None and self.starts_at <= now < self.ends_at:
            return self.ends_at
        return None

    def public(self, now: datetime) -> dict[str, Any]:
        until = self.active_until(now)
        return {
            "id": self.id,
            "services": list(self.services),
            "starts_at": clock.iso(self.starts_at),
            "ends_at": clock.iso(self.ends_at),
            "cron": self.cron,
            "duration_s": self.duration_s,
            "reason": self.reason,
            "active": until is not None,
            "active_until": clock.iso(until),
        }


def active_for(windows: list[Window], name: str, now: datetime) -> datetime | None:
    """The latest end among the windows that cover `name` at `now` (None: not in maintenance)."""
    ends = [end for window in windows if window.covers(name) and (end := window.active_until(now)) is not None]
    return max(ends) if ends else None


class MaintenanceCreate(BaseModel):
    """`POST /api/maintenance`: `{"services", "starts_at", "ends_at"}` or `{"services", "cron", "duration_s"}`."""

    model_config = ConfigDict(extra="forbid")

    services: list[str] = Field(default_factory=list, max_length=200, description="empty: every service")
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    cron: str | None = Field(None, max_length=100, description="5-field cron, UTC: `0 3 * * 0` is Sundays 03:00")
    duration_s: float | None = Field(None, ge=60, le=7 * 86400, allow_inf_nan=False)
    reason: str | None = Field(None, max_length=300)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and (len(value.split()) != 5 or not croniter.is_valid(value)):
            raise ValueError("is not a 5-field cron expression (minute hour day month weekday), e.g. `0 3 * * 0`")
        return value

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2026-12-06T02:00:00Z")
        return value.astimezone(UTC) if value is not None else None

    @model_validator(mode="after")
    def _one_kind(self) -> MaintenanceCreate:
        one_off = self.starts_at is not None or self.ends_at is not None
        recurring = self.cron is not None or self.duration_s is not None
        if one_off == recurring:
            raise ValueError("give either `starts_at` and `ends_at`, or `cron` and `duration_s`")
        if one_off and (self.starts_at is None or self.ends_at is None):
            raise ValueError("a one-off window needs both `starts_at` and `ends_at`")
        if recurring and (self.cron is None or self.duration_s is None):
            raise ValueError("a recurring window needs both `cron` and `duration_s`")
        return self
