"""A blocker open longer than N hours."""

from __future__ import annotations

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, duration, minutes_since, number

NAME = "blocker_open"


class Settings(RuleSettings):
    hours: float = Field(4.0, ge=0)


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for blocker in state.section("instances").get("blockers") or []:
        minutes = minutes_since(state, blocker.get("opened_at"))
        if minutes is None:
            hours = number(blocker.get("age_hours"))
            minutes = None if hours is None else hours * 60
        if minutes is None or minutes < cfg.hours * 60:
            continue
        ident = str(blocker.get("id"))
        severity = str(blocker.get("severity") or "unknown")
        who = blocker.get("instance") or "an agent"
        findings.append(
            Finding(
                rule=NAME,
                kind="blocker_open",
                key=f"{NAME}:{ident}",
                title=f"Blocker open over {cfg.hours:g} h: {str(blocker.get('description') or ident)[:80]}",
                why=f"Blocker {ident} ({severity}) raised by {who} has been open since {blocker.get('opened_at')} "
                f"({duration(minutes)}, over the {cfg.hours:g} h threshold): {blocker.get('description') or ''}",
                link="/#instances",
                priority="high" if severity in ("critical", "high") else "normal",
                figures={"blocker": ident, "severity": severity, "hours": round(minutes / 60, 1)},
            )
        )
    return findings


SPEC = RuleSpec(NAME, "A blocker open longer than N hours.", Settings, evaluate)
