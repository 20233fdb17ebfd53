"""A service whose status keeps changing: several transitions among its recent checks."""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, datetime, timedelta
from operator import ne

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, moment

NAME = "service_flapping"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Settings(RuleSettings):
    transitions: int = Field(4, ge=2)  # status changes within the window that count as flapping
    window_minutes: float = Field(30.0, gt=0)


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for service in state.section("health").get("services") or []:
        checks = service.get("recent") or []
        if _changes([check.get("status") for check in checks]) < cfg.transitions:
            continue  # cheap test first: most services never change, and parsing times is the cost
        # `recent` is oldest first (the section's contract): find where the window starts in log(n) parses.
        cutoff = state.now - timedelta(minutes=cfg.window_minutes)
        recent = checks[bisect_left(checks, cutoff, key=lambda check: moment(check.get("at")) or EPOCH) :]
        statuses = [check.get("status") for check in recent]
        changes = _changes(statuses)
        if changes < cfg.transitions:
            continue
        name = str(service.get("name"))
        findings.append(
            Finding(
                rule=NAME,
                kind="service_flapping",
                key=f"{NAME}:{name}",
                title=f"{name} is flapping",
                why=f"Among its last {len(recent)} checks within {cfg.window_minutes:g} min, {name} changed "
                f"status {changes} times ({' → '.join(str(s) for s in statuses[-6:])}); the threshold is "
                f"{cfg.transitions}. An unstable dependency or a check that is too strict are the usual causes.",
                link=f"/services/{name}",
                priority="high",
                figures={"service": name, "transitions": changes, "checks": len(recent)},
            )
        )
    return findings


def _changes(statuses: list[object]) -> int:
    return sum(map(ne, statuses, statuses[1:]))


SPEC = RuleSpec(NAME, "A service flapping between statuses.", Settings, evaluate)
