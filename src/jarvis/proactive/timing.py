"""When a notification may interrupt someone: hourly and daily caps, a minimum gap, quiet hours.

Critical notifications always go through (and still count towards the caps); the others
wait in the queue (their suggestion stays `pending`) until the gate opens. Pure functions of
the clock and the times of earlier notifications, so the tests drive them with a frozen clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from jarvis.settings import ProactiveSettings


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str | None = None  # why it is held

    def __bool__(self) -> bool:
        return self.allowed


def parse_quiet(text: str) -> tuple[time, time] | None:
    if not text:
        return None
    start, end = text.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def in_quiet_hours(now: datetime, settings: ProactiveSettings) -> bool:
    window = parse_quiet(settings.quiet_hours)
    if window is None:
        return False
    start, end = window
    local = now.astimezone(ZoneInfo(settings.timezone)).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # spans midnight, e.g. 22:00-07:00


def decide(now: datetime, priority: str, sent: list[datetime], settings: ProactiveSettings) -> Decision:
    """Whether a notification of this priority may go out now, given the times earlier ones went."""
    if priority == "critical":
        return Decision(True)
    if in_quiet_hours(now, settings):
        return Decision(False, f"quiet hours ({settings.quiet_hours}, {settings.timezone})")
    hour = sum(1 for at in sent if now - at < timedelta(hours=1))
    if hour >= settings.max_per_hour:
        return Decision(False, f"{hour} notifications in the last hour (max {settings.max_per_hour})")
    day = sum(1 for at in sent if now - at < timedelta(days=1))
    if day >= settings.max_per_day:
        return Decision(False, f"{day} notifications in the last 24 h (max {settings.max_per_day})")
    last = max(sent, default=None)
    gap = timedelta(minutes=settings.min_gap_minutes)
    if last is not None and now - last < gap:
        return Decision(
            False,
            f"the last one went {int((now - last).total_seconds() // 60)} min ago "
            f"(min gap {settings.min_gap_minutes:g} min)",
        )
    return Decision(True)


def decide_attention(
    now: datetime, priority: str, last_for_agent: datetime | None, cooldown: timedelta, settings: ProactiveSettings
) -> Decision:
    """An agent that needs someone: not held by the gap or the caps (a person is blocked on it), but at most
    one alert per session per cooldown, and quiet hours hold it unless it is critical."""
    if priority != "critical" and in_quiet_hours(now, settings):
        return Decision(False, f"quiet hours ({settings.quiet_hours}, {settings.timezone})")
    if last_for_agent is not None and now - last_for_agent < cooldown:
        return Decision(False, f"this agent was notified {int((now - last_for_agent).total_seconds() // 60)} min ago")
    return Decision(True)
