"""Suggestions from learned habits (see `jarvis.proactive.usage` for how habits are learned).

- first section: at the hour the user usually starts with a section, a headline from it
  ("you usually review business at 9:00: revenue is down 12% since yesterday");
- after a health change: the user usually opens a service's page when its status changes,
  so when it changes again, the link comes to them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, fmt, minutes_since, number

FIRST = "usage_first_section"
AFTER = "usage_after_health_change"
SECTION_LINKS = {"business": "/#business", "health": "/#health", "instances": "/#instances"}


class FirstSettings(RuleSettings):
    expire_hours: float = Field(1.0, gt=0, le=24)


class AfterSettings(RuleSettings):
    window_minutes: float = Field(30.0, gt=0)  # how recent the change must be


def headline(section: str, data: dict[str, Any]) -> str | None:
    """The one figure worth reading first in a section, or None."""
    if section == "business":
        return _biggest_move(data)
    if section == "health":
        services = data.get("services") or []
        bad = [s.get("name") for s in services if s.get("status") in ("offline", "degraded")]
        if not services:
            return None
        if bad:
            return f"{len(bad)} of {len(services)} services need attention ({', '.join(map(str, bad[:3]))})"
        return f"all {len(services)} services are healthy"
    if section == "instances":
        agents = data.get("instances") or []
        waiting = sum(1 for a in agents if a.get("status") == "waiting")
        blocked = sum(1 for a in agents if a.get("status") == "blocked")
        return f"{waiting} agent(s) waiting and {blocked} blocked" if agents else None
    if section == "financial":
        figure = (data.get("figures") or {}).get("mrr") or {}
        trend = number(figure.get("trend_pct"))
        value = number(figure.get("value"))
        if value is None:
            return None
        return f"MRR is {fmt(value, 0)}" + (f" ({'+' if trend > 0 else ''}{fmt(trend)}%)" if trend is not None else "")
    if section == "waves":
        waves = data.get("waves") or []
        active = sum(1 for w in waves if w.get("status") == "in_progress")
        return f"{active} wave(s) in progress" if waves else None
    return None


def _biggest_move(data: dict[str, Any]) -> str | None:
    best: tuple[float, str] | None = None
    for module in data.get("modules") or []:
        for key, metric in (module.get("metrics") or {}).items():
            history = metric.get("history") or []
            value = number(metric.get("value"))
            previous = number(history[-2]) if len(history) >= 2 else None
            if value is None or not previous:
                continue
            change = (value - previous) / abs(previous) * 100
            if best is None or abs(change) > abs(best[0]):
                best = (change, key)
    if best is None or abs(best[0]) < 1:
        return None
    change, key = best
    return f"{key} is {'up' if change > 0 else 'down'} {fmt(abs(change), 0)}% since yesterday"


def evaluate_first(state: State, cfg: FirstSettings) -> list[Finding]:
    findings: list[Finding] = []
    for habit in state.habits:
        if habit.kind != "first_section" or habit.hour != state.local_hour:
            continue
        line = headline(habit.target, state.section(habit.target))
        if line is None:
            continue
        findings.append(
            Finding(
                rule=FIRST,
                kind="usage_first_section",
                key=f"{FIRST}:{habit.target}:{state.local_date}",
                title=f"You usually review {habit.target} at {habit.hour}:00: {line}",
                why=f"On {habit.support} of the last {habit.out_of} days you opened {habit.target} first between "
                f"{habit.hour}:00 and {habit.hour}:59; right now {line}.",
                link=SECTION_LINKS.get(habit.target, f"/#{habit.target}"),
                priority="low",
                figures={"habit": habit.as_dict(), "headline": line},
            )
        )
    return findings


def evaluate_after(state: State, cfg: AfterSettings) -> list[Finding]:
    watched = {h.target: h for h in state.habits if h.kind == "after_health_change"}
    findings: list[Finding] = []
    for change in state.recent_health_changes:
        habit = watched.get(str(change.get("service")))
        minutes = minutes_since(state, change.get("at"))
        if habit is None or minutes is None or minutes > cfg.window_minutes:
            continue
        name = habit.target
        findings.append(
            Finding(
                rule=AFTER,
                kind="usage_after_health_change",
                key=f"{AFTER}:{name}:{change.get('at')}",
                title=f"{name} went {change.get('from')} → {change.get('to')}: open its page?",
                why=f"You opened {name}'s page after {habit.support} of its last {habit.out_of} status changes; it "
                f"just went from {change.get('from')} to {change.get('to')} at {change.get('at')}.",
                link=f"/services/{name}",
                priority="normal",
                figures={"habit": habit.as_dict(), "change": change},
            )
        )
    return findings


FIRST_SPEC = RuleSpec(
    FIRST, "At the hour you usually open a section first, its headline.", FirstSettings, evaluate_first
)
AFTER_SPEC = RuleSpec(
    AFTER, "After a health change of a service whose page you usually open then.", AfterSettings, evaluate_after
)
