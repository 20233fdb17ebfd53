"""A wave behind its estimate: actual hours past the estimate while tasks are left."""

from __future__ import annotations

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, fmt, number

NAME = "wave_behind"


class Settings(RuleSettings):
    tolerance: float = Field(1.0, ge=1)  # actual / estimate ratio that is still fine
    high_over: float = Field(1.5, ge=1)  # ratio from which the suggestion is high priority


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for wave in state.section("waves").get("waves") or []:
        estimate = number(wave.get("estimated_hours"))
        actual = number(wave.get("actual_hours"))
        done = number(wave.get("tasks_done")) or 0
        total = number(wave.get("tasks_total")) or 0
        if wave.get("status") == "completed" or not estimate or actual is None or total <= done:
            continue
        ratio = actual / estimate
        if ratio <= cfg.tolerance:
            continue
        ident = str(wave.get("id"))
        name = str(wave.get("name") or ident)
        left = int(total - done)
        findings.append(
            Finding(
                rule=NAME,
                kind="wave_behind",
                key=f"{NAME}:{ident}",
                title=f"{name} is behind its estimate ({fmt(ratio * 100, 0)}% of the hours used)",
                why=f"{name} has used {fmt(actual)} h against an estimate of {fmt(estimate)} h "
                f"({fmt(ratio * 100, 0)}%) with {left} of {int(total)} tasks still open.",
                link="/#waves",
                priority="high" if ratio >= cfg.high_over else "normal",
                figures={"wave": ident, "actual_hours": actual, "estimated_hours": estimate, "tasks_left": left},
            )
        )
    return findings


SPEC = RuleSpec(NAME, "A wave past its estimated hours with tasks left.", Settings, evaluate)
