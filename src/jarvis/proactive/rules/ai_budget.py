"""The agents' spend against a budget: the month-end projection over the monthly budget, or today's spend over
the daily one. The figures come from the financial section (`ai_spend_this_month`, `ai_spend_today`, measured
from Claude Code's telemetry); no budget set, or no telemetry: no finding."""

from __future__ import annotations

import calendar
from datetime import datetime

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, fmt, number

NAME = "ai_budget"


class Settings(RuleSettings):
    # The budgets, in US dollars (what Claude Code reports); unset: not watched.
    monthly_usd: float | None = Field(None, gt=0, allow_inf_nan=False)
    daily_usd: float | None = Field(None, gt=0, allow_inf_nan=False)


def projected(spent: float, now: datetime) -> float:
    """This month's spend so far, carried on at the same rate to the month's end."""
    days = calendar.monthrange(now.year, now.month)[1]
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elapsed = max((now - start).total_seconds(), 3600.0)  # the first hour of a month says too little
    return spent * days * 86400 / elapsed


def _month(spent: float, budget: float, now: datetime) -> Finding | None:
    ahead = projected(spent, now)
    if ahead <= budget:
        return None
    over = spent > budget
    why = (
        f"The agents have spent ${fmt(spent, 2)} this month (day {now.day}); at this rate the month ends near "
        f"${fmt(ahead, 0)}, over the ${fmt(budget, 0)} budget."
    )
    return Finding(
        rule=NAME,
        kind="ai_budget_month",
        key=f"{NAME}:month",
        title="The agents have spent the month's budget" if over else "AI spend is on course to pass the budget",
        why=why,
        link="/#financial",
        priority="critical" if over else "high",
        figures={"spent_usd": round(spent, 2), "projected_usd": round(ahead, 2), "budget_usd": budget},
    )


def _day(spent: float, budget: float, day: str) -> Finding:
    return Finding(
        rule=NAME,
        kind="ai_budget_day",
        key=f"{NAME}:day:{day}",
        title="Today's AI spend is over the daily budget",
        why=f"The agents have spent ${fmt(spent, 2)} today, over the ${fmt(budget, 0)} daily budget.",
        link="/#financial",
        priority="high",
        figures={"spent_usd": round(spent, 2), "budget_usd": budget},
    )


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    financial = state.section("financial")
    findings: list[Finding] = []
    month = number(financial.get("ai_spend_this_month"))
    if cfg.monthly_usd is not None and month is not None:
        found = _month(month, cfg.monthly_usd, state.now)
        if found is not None:
            findings.append(found)
    today = number(financial.get("ai_spend_today"))
    if cfg.daily_usd is not None and today is not None and today > cfg.daily_usd:
        findings.append(_day(today, cfg.daily_usd, state.local_date))
    return findings


SPEC = RuleSpec(
    NAME, "The agents' spend: month-end projection over the budget, or a day over the daily one.", Settings, evaluate
)
