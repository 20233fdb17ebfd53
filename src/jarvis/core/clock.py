"""The only clock. Tests freeze or advance it; nothing else reads the system time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Timezone-aware UTC time."""
    return _now()


def monotonic() -> float:
    return time.monotonic()


class FrozenClock:
    """A controllable clock for tests: `with FrozenClock(t) as clock: clock.advance(60)`."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        self._previous: Callable[[], datetime] | None = None

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> datetime:
        self.current += timedelta(seconds=seconds)
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def __enter__(self) -> FrozenClock:
        global _now
        self._previous = _now
        _now = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _now
        if self._previous is not None:
            _now = self._previous


def parse_timestamp(value: object) -> datetime | None:
    """Accept the formats the original tools wrote: ISO 8601 (with Z), epoch s or ms; anything else is None.

    Never raises: the values come from files and requests we do not control, and one odd value ("²", 1e400,
    a year-1 time with an offset) must cost that value, not the document it sits in. The result is in UTC, so
    a moment that exists only in its own offset (9999-12-31T23:59-01:00) is refused here rather than failing
    later when it is printed."""
    try:
        parsed = _parse(value)
        return parsed.astimezone(UTC) if parsed is not None else None
    except (OverflowError, OSError, ValueError):
        return None


def _parse(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.replace(".", "", 1).isdigit():  # also true for "²" and other digits float() refuses
            return _parse(float(text))
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def human_duration(seconds: float | None) -> str:
    """How long, as a person says it: "40 s", "4 min", "2 h 5 min", "3 d"."""
    if seconds is None:
        return "a while"
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} d"
