"""What every rule shares: its input (`State`), its output (`Finding`) and its settings base.

Rules are pure functions of the state, so each is tested with plain dict fixtures and the
benchmark can time them without a database; the engine turns findings into suggestions.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jarvis.core import clock
from jarvis.core.priority import Priority


class RuleSettings(BaseModel):
    """The keys every rule's table accepts; each rule adds its thresholds."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    expire_hours: float = Field(24.0, gt=0, le=24 * 90)  # a suggestion left unanswered this long expires


@dataclass(slots=True)
class Habit:
    """A learned, explainable usage pattern (see `usage.py`)."""

    kind: Literal["first_section", "after_health_change"]
    target: str  # a section name, or a service name
    hour: int | None  # local hour for `first_section`
    support: int  # how many times it was seen
    out_of: int  # how many opportunities there were

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "hour": self.hour, "support": self.support, "of": self.out_of}


@dataclass(slots=True)
class State:
    """Everything the rules look at, read once per evaluation."""

    now: datetime
    sections: dict[str, dict[str, Any]]
    cache: dict[str, Any] = field(default_factory=dict)
    habits: list[Habit] = field(default_factory=list)
    local_hour: int = 0
    local_date: str = ""
    recent_health_changes: list[dict[str, Any]] = field(default_factory=list)
    attention_after_s: float = 60.0  # `attention.notify_after_s`: how long a wait lasts before it alerts

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.get(name) or {}


@dataclass(slots=True)
class Finding:
    """One situation a rule sees now; `key` identifies the situation (dedupe)."""

    rule: str
    kind: str
    key: str
    title: str
    why: str
    link: str
    priority: Priority
    figures: dict[str, Any] = field(default_factory=dict)


Evaluate = Callable[[State, Any], list[Finding]]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    name: str
    description: str
    settings: type[RuleSettings]
    evaluate: Evaluate


def moment(value: object) -> datetime | None:
    """A timestamp from a section: the ISO form sections use is parsed directly, anything else leniently."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return clock.parse_timestamp(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return clock.parse_timestamp(value)


def minutes_since(state: State, value: object) -> float | None:
    at = moment(value)
    if at is None:
        return None
    return (state.now - at).total_seconds() / 60


def number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def numbers(values: Iterable[object]) -> list[float]:
    """The numbers among the values (bools and None left out); hot: called per service per tick."""
    return [float(v) for v in values if type(v) is float or type(v) is int]  # noqa: E721 - exact types, no bool


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def fmt(value: float, digits: int = 1) -> str:
    """A figure as people read it: no trailing `.0`."""
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def duration(minutes: float) -> str:
    if minutes < 90:
        return f"{fmt(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{fmt(minutes / 60)} h"
    return f"{fmt(minutes / 1440)} days"
