"""Runway under N months (high), under half of N (critical). No runway figure: no finding."""

from __future__ import annotations

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, fmt, number

NAME = "runway_low"


class Settings(RuleSettings):
    months: float = Field(6.0, gt=0)


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    financial = state.section("financial")
    figure = (financial.get("figures") or {}).get("runway_months") or {}
    runway = number(figure.get("value"))
    if runway is None:
        runway = number(financial.get("runway_months"))
    if runway is None or figure.get("infinite") or runway >= cfg.months:
        return []
    critical = runway < cfg.months / 2
    burn = number(financial.get("burn_rate"))
    burn_text = f" at a burn rate of {fmt(burn, 0)} a month" if burn is not None else ""
    return [
        Finding(
            rule=NAME,
            kind="runway_low",
            key=NAME,
            title=f"Runway is {fmt(runway)} months",
            why=f"Cash covers {fmt(runway)} months{burn_text}, under the {cfg.months:g}-month threshold"
            + (f" and under half of it ({cfg.months / 2:g})." if critical else "."),
            link="/#financial",
            priority="critical" if critical else "high",
            figures={"runway_months": runway, "threshold": cfg.months, "burn_rate": burn},
        )
    ]


SPEC = RuleSpec(NAME, "Runway under N months; critical under half of it.", Settings, evaluate)
