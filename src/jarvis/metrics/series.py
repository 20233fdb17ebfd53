"""Series queries: raw points plus hourly roll-ups, downsampled into fixed buckets.

Raw points and roll-ups never overlap (retention deletes the raw points it rolls up in the
same transaction), so a window that reaches past raw retention simply reads both. Buckets
are aligned to multiples of `step` since the Unix epoch, so two calls agree on boundaries.
Roll-up hours count in the bucket holding the hour's start: past raw retention, resolution is an hour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.errors import ValidationFailed
from jarvis.metrics.models import MetricPoint, MetricRollup

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
DURATION_RE = re.compile(r"^(\d{1,6})([smhdw])$")
MAX_BUCKETS = 2000
MIN_STEP_S = 60
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_duration(value: str, field: str) -> int:
    match = DURATION_RE.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise ValidationFailed(
            f"`{field}` must be a positive duration such as 30m, 1h, 7d (units s, m, h, d, w).",
            details=[{"field": field, "problem": "must be a positive duration such as 30m, 1h or 7d"}],
        )
    return int(match.group(1)) * UNITS[match.group(2)]


def check_window(window: str, step: str, *, max_days: int) -> tuple[int, int]:
    window_s = parse_duration(window, "window")
    step_s = parse_duration(step, "step")
    if window_s > max_days * 86400:
        raise ValidationFailed(
            f"`window` may reach back at most {max_days} days (the roll-up retention).",
            details=[{"field": "window", "problem": f"is longer than {max_days} days"}],
        )
    problem = None
    if step_s < MIN_STEP_S:
        problem = "must be at least 1m"
    elif step_s > window_s:
        problem = "must not be longer than the window"
    elif window_s // step_s > MAX_BUCKETS:
        problem = f"gives more than {MAX_BUCKETS} buckets for this window; use a larger step"
    if problem:
        raise ValidationFailed(f"`step` {problem}.", details=[{"field": "step", "problem": problem}])
    return window_s, step_s


@dataclass(slots=True)
class Bucket:
    start: datetime
    count: int = 0
    total: float = 0.0
    low: float | None = None
    high: float | None = None

    def add(self, count: int, total: float, low: float, high: float) -> None:
        self.count += count
        self.total += total
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": clock.iso(self.start),
            "avg": self.total / self.count if self.count else None,
            "min": self.low,
            "max": self.high,
            "count": self.count,
        }


async def series(
    session: AsyncSession, *, module: str, key: str, window_s: int, step_s: int, now: datetime
) -> list[dict[str, Any]]:
    """Every bucket of the window, oldest first; an empty bucket has `count` 0 and null values."""
    end = now
    first_index = int((end - timedelta(seconds=window_s) - EPOCH).total_seconds()) // step_s + 1
    last_index = int((end - EPOCH).total_seconds()) // step_s
    buckets = {i: Bucket(EPOCH + timedelta(seconds=i * step_s)) for i in range(first_index, last_index + 1)}
    start = buckets[first_index].start

    def index_of(moment: datetime) -> int:
        return int((moment - EPOCH).total_seconds()) // step_s

    raw = await session.execute(
        select(MetricPoint.at, MetricPoint.value)
        .where(MetricPoint.module == module, MetricPoint.key == key, MetricPoint.at >= start, MetricPoint.at <= end)
        .order_by(MetricPoint.at)
    )
    for at, value in raw:
        bucket = buckets.get(index_of(at))
        if bucket is not None:
            bucket.add(1, value, value, value)
    rolled = await session.scalars(
        select(MetricRollup).where(
            MetricRollup.module == module, MetricRollup.key == key, MetricRollup.hour >= start, MetricRollup.hour <= end
        )
    )
    for row in rolled:
        bucket = buckets.get(index_of(row.hour))
        if bucket is not None:
            bucket.add(row.count, row.sum, row.min, row.max)
    return [buckets[i].as_dict() for i in range(first_index, last_index + 1)]
