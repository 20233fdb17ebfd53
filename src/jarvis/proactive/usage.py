"""Usage patterns: what the user opens and when, recorded by the pages, learned into habits.

Two habits, both explainable by their counts ("on 4 of the last 5 days…"):
- first section: for each local hour, the section opened first within that hour, day after
  day (`section_open` actions whose target is a dashboard section);
- after a health change: how often the user opened a service's page (a `page_view` whose
  `context.path` is `/services/<name>`, a `service_open`, or any action whose target is
  `service:<name>`) within a window after its status changed.
Learning is a pure function of rows, tested with a recorded sequence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.proactive.models import HealthChange, UserAction
from jarvis.proactive.rules.base import Habit

SECTIONS = {"instances", "waves", "health", "business", "financial"}
SECTION_ACTIONS = {"section_view", "section_open", "open_section", "view_section", "navigate"}
SERVICE_ACTIONS = {"service_open", "open_service", "view_service"}


@dataclass(frozen=True, slots=True)
class Learning:
    """Thresholds of the learner; defaults fit a person using the dashboard daily."""

    lookback_days: int = 14
    min_days: int = 3  # days a section must have been first at that hour
    min_share: float = 0.6  # … out of the days with any section opened at that hour
    visit_within_minutes: float = 30.0
    min_visits: int = 2  # status changes followed by a visit
    min_visit_share: float = 0.5


@dataclass(frozen=True, slots=True)
class Action:
    action_type: str
    target: str
    at: datetime
    path: str = ""  # the page's path, when the page said (`context.path`)


def section_of(action: Action) -> str | None:
    target = action.target.removeprefix("section:")
    if action.action_type in SECTION_ACTIONS and target in SECTIONS:
        return target
    return None


def service_of(action: Action) -> str | None:
    if action.path.startswith("/services/"):
        return action.path.split("/")[2] or None
    if action.target.startswith("service:"):
        return action.target.removeprefix("service:")
    if action.action_type in SERVICE_ACTIONS:
        return action.target
    return None


def learn(
    actions: list[Action], changes: list[dict[str, Any]], *, zone: str, learning: Learning = Learning()
) -> list[Habit]:
    """Habits from actions (oldest first) and health changes (`{"service", "at"}`)."""
    return _first_sections(actions, ZoneInfo(zone), learning) + _after_changes(actions, changes, learning)


def _first_sections(actions: list[Action], zone: ZoneInfo, learning: Learning) -> list[Habit]:
    first: dict[tuple[str, int], str] = {}  # (local date, hour) → first section opened
    for action in sorted(actions, key=lambda a: a.at):
        section = section_of(action)
        if section is None:
            continue
        local = action.at.astimezone(zone)
        first.setdefault((local.date().isoformat(), local.hour), section)
    by_hour: dict[int, Counter[str]] = defaultdict(Counter)
    for (_day, hour), section in first.items():
        by_hour[hour][section] += 1
    habits: list[Habit] = []
    for hour, counts in sorted(by_hour.items()):
        days = sum(counts.values())
        section, support = counts.most_common(1)[0]
        if support >= learning.min_days and support / days >= learning.min_share:
            habits.append(Habit("first_section", section, hour, support, days))
    return habits


def _after_changes(actions: list[Action], changes: list[dict[str, Any]], learning: Learning) -> list[Habit]:
    visits: dict[str, list[datetime]] = defaultdict(list)
    for action in actions:
        service = service_of(action)
        if service:
            visits[service].append(action.at)
    window = timedelta(minutes=learning.visit_within_minutes)
    seen: Counter[str] = Counter()
    followed: Counter[str] = Counter()
    for change in changes:
        service, at = str(change["service"]), change["at"]
        seen[service] += 1
        if any(at <= visit <= at + window for visit in visits.get(service, ())):
            followed[service] += 1
    return [
        Habit("after_health_change", service, None, followed[service], total)
        for service, total in sorted(seen.items())
        if followed[service] >= learning.min_visits and followed[service] / total >= learning.min_visit_share
    ]


async def record_action(
    session: AsyncSession, *, action_type: str, target: str, context: dict[str, Any], session_id: str | None
) -> UserAction:
    row = UserAction(action_type=action_type, target=target, context=context, session_id=session_id, at=clock.now())
    session.add(row)
    await session.flush()
    return row


async def record_health_change(session: AsyncSession, *, data: dict[str, Any]) -> None:
    at = clock.parse_timestamp(data.get("at")) or clock.now()
    session.add(
        HealthChange(
            service=str(data.get("service"))[:100],
            from_status=None if data.get("from") is None else str(data.get("from"))[:16],
            to_status=str(data.get("to"))[:16],
            at=at,
        )
    )


async def load(session: AsyncSession, *, days: int) -> tuple[list[Action], list[dict[str, Any]]]:
    since = clock.now() - timedelta(days=days)
    rows = (
        await session.scalars(select(UserAction).where(UserAction.at >= since).order_by(UserAction.at).limit(50_000))
    ).all()
    actions = [Action(row.action_type, row.target, row.at, str((row.context or {}).get("path") or "")) for row in rows]
    changed = (
        await session.scalars(select(HealthChange).where(HealthChange.at >= since).order_by(HealthChange.at))
    ).all()
    changes = [{"service": c.service, "from": c.from_status, "to": c.to_status, "at": c.at} for c in changed]
    return actions, changes
