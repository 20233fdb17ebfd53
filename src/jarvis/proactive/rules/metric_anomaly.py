"""A business metric far from its recent baseline, by a robust z-score (median / MAD).

The baseline is the metric's daily history in the business section (7 values, oldest
first; the last one is today and is left out of the baseline). MAD is scaled by 0.6745
so that the score reads like a z-score on normal data; a flat history (MAD = 0) falls
back to the mean absolute deviation and, if that is also 0, to a relative change.
"""

from __future__ import annotations

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, fmt, median, number, numbers

NAME = "metric_anomaly"


class Settings(RuleSettings):
    z: float = Field(3.5, gt=0)  # robust z-score from which a value is an outlier
    min_points: int = Field(5, ge=3)  # baseline points needed
    flat_change_pct: float = Field(50.0, gt=0)  # when the history is perfectly flat


def robust_z(value: float, baseline: list[float]) -> float | None:
    """0.6745·(x − median)/MAD; None when the baseline has no spread at all."""
    center = median(baseline)
    mad = median([abs(point - center) for point in baseline])
    if mad > 0:
        return 0.6745 * (value - center) / mad
    mean_ad = sum(abs(point - center) for point in baseline) / len(baseline)
    if mean_ad > 0:
        return (value - center) / (1.2533 * mean_ad)
    return None


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for module in state.section("business").get("modules") or []:
        for key, metric in (module.get("metrics") or {}).items():
            value = number(metric.get("value"))
            history = metric.get("history") or []
            baseline = numbers(history[:-1])
            if value is None or len(baseline) < cfg.min_points:
                continue
            center = median(baseline)
            score = robust_z(value, baseline)
            change_pct = (value - center) / abs(center) * 100 if center else None
            if score is None:
                if change_pct is None or abs(change_pct) < cfg.flat_change_pct:
                    continue
            elif abs(score) < cfg.z:
                continue
            findings.append(
                _finding(
                    str(module.get("id")),
                    str(module.get("name")),
                    key,
                    value,
                    center,
                    score,
                    change_pct,
                    len(baseline),
                    cfg,
                )
            )
    return findings


def _finding(
    module: str,
    module_name: str,
    key: str,
    value: float,
    center: float,
    score: float | None,
    change_pct: float | None,
    points: int,
    cfg: Settings,
) -> Finding:
    direction = "up" if value > center else "down"
    change = f" ({'+' if change_pct > 0 else ''}{fmt(change_pct, 0)}%)" if change_pct is not None else ""
    score_text = f"a robust z-score of {fmt(score)}" if score is not None else "a flat history"
    return Finding(
        rule=NAME,
        kind="metric_anomaly",
        key=f"{NAME}:{module}:{key}",
        title=f"{module_name}: {key} is {direction}{change}",
        why=f"{key} in {module_name} is {fmt(value, 2)} against a median of {fmt(center, 2)} over the previous "
        f"{points} days{change}, {score_text} (threshold {cfg.z:g}).",
        link="/#business",
        priority="normal",
        figures={
            "module": module,
            "key": key,
            "value": value,
            "median": center,
            "z": None if score is None else round(score, 2),
            "change_pct": None if change_pct is None else round(change_pct, 1),
        },
    )


SPEC = RuleSpec(NAME, "A business metric far from its recent baseline (robust z-score).", Settings, evaluate)
