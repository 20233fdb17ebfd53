"""Latency well above the service's own baseline (median of its older checks vs. the latest ones).

Reads the `recent` array of the health section (last 30 checks); a service's own history is
the baseline, so a slow-by-design service never fires.
"""

from __future__ import annotations

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, fmt, median, numbers

NAME = "latency_high"


class Settings(RuleSettings):
    factor: float = Field(3.0, gt=1)  # current median over baseline median
    min_increase_ms: float = Field(200.0, ge=0)  # and at least this much slower
    latest: int = Field(3, ge=1)  # checks that make up "current"
    min_baseline: int = Field(10, ge=3)  # older checks needed for a baseline


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for service in state.section("health").get("services") or []:
        recent = service.get("recent") or []
        if len(recent) < cfg.min_baseline + cfg.latest:
            continue
        latest = numbers(check.get("latency_ms") for check in recent[-cfg.latest :])
        if not latest or median(latest) < cfg.min_increase_ms:
            continue  # cannot be `min_increase_ms` above any baseline: skip the full series
        latencies = numbers(check.get("latency_ms") for check in recent)
        if len(latencies) < cfg.min_baseline + cfg.latest:
            continue
        baseline = median(latencies[: -cfg.latest])
        current = median(latencies[-cfg.latest :])
        if baseline <= 0 or current < baseline * cfg.factor or current - baseline < cfg.min_increase_ms:
            continue
        name = str(service.get("name"))
        ratio = current / baseline
        findings.append(
            Finding(
                rule=NAME,
                kind="latency_high",
                key=f"{NAME}:{name}",
                title=f"{name} is much slower than usual",
                why=f"The median latency of the last {cfg.latest} checks of {name} is {fmt(current, 0)} ms, against "
                f"{fmt(baseline, 0)} ms over its previous {len(latencies) - cfg.latest} checks ({fmt(ratio)}×; the "
                f"threshold is {cfg.factor:g}× and +{cfg.min_increase_ms:g} ms).",
                link=f"/services/{name}",
                priority="normal",
                figures={"service": name, "current_ms": round(current, 1), "baseline_ms": round(baseline, 1)},
            )
        )
    return findings


SPEC = RuleSpec(NAME, "Latency well above the service's own baseline.", Settings, evaluate)
