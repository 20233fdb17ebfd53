"""The SaaS figures, as pure functions of the inputs (see docs/metrics.md for each formula).

A figure whose inputs are missing, or that would divide by zero, is `None` with
`missing` naming the inputs to supply (and `reason` saying which case it was); nothing
is ever filled in with a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Inputs = Mapping[str, float | None]


@dataclass(slots=True)
class Figure:
    value: float | None
    formula: str
    missing: list[str] = field(default_factory=list)
    reason: str | None = None
    infinite: bool = False

    def as_dict(self, previous: Figure | None) -> dict[str, Any]:
        before = previous.value if previous is not None else None
        trend = None
        if self.value is not None and before is not None and before != 0:
            trend = round((self.value - before) / abs(before) * 100, 2)
        data: dict[str, Any] = {
            "value": self.value,
            "missing": self.missing,
            "reason": self.reason,
            "formula": self.formula,
            "previous": before,
            "trend_pct": trend,
        }
        if self.infinite:
            data["infinite"] = True
        return data


def _needs(inputs: Inputs, *names: str) -> list[str]:
    return [name for name in names if inputs.get(name) is None]


def _input(inputs: Inputs, name: str) -> Figure:
    value = inputs.get(name)
    return Figure(value, "input", [] if value is not None else [name], None if value is not None else "not given")


def _ratio(numerator: Figure, denominator: Figure, formula: str, zero_inputs: list[str], zero: str) -> Figure:
    """numerator / denominator, or None naming what is missing or zero."""
    missing = sorted({*numerator.missing, *denominator.missing})
    if numerator.value is None or denominator.value is None:
        return Figure(None, formula, missing or zero_inputs, numerator.reason or denominator.reason or "not given")
    if denominator.value == 0:
        return Figure(None, formula, zero_inputs, zero)
    return Figure(numerator.value / denominator.value, formula)


def compute(inputs: Inputs, *, ai_spend: float | None = None) -> dict[str, Figure]:
    """Every figure of the financial section, in display order. `ai_spend`: what the agents cost this month,
    as measured from Claude Code's telemetry (None when none came); burn and runway include it."""
    f: dict[str, Figure] = {}
    for name in ("mrr", "customers", "revenue_today", "revenue_this_month", "cash_balance", "gross_margin"):
        f[name] = _input(inputs, name)
    mrr, customers = inputs.get("mrr"), inputs.get("customers")

    f["arr"] = Figure(None if mrr is None else 12 * mrr, "12 × mrr", _needs(inputs, "mrr"))

    f["arpa"] = _ratio(f["mrr"], f["customers"], "mrr / customers", ["customers"], "customers is 0")

    new, churned = inputs.get("new_customers"), inputs.get("churned_customers")
    churn_inputs = ["customers", "new_customers", "churned_customers"]
    churn_missing = _needs(inputs, *churn_inputs)
    if churn_missing or customers is None or new is None or churned is None:
        f["churn_rate"] = Figure(
            None, "churned_customers / (customers − new_customers + churned_customers)", churn_missing, "not given"
        )
    else:
        start = customers - new + churned
        f["churn_rate"] = (
            Figure(churned / start, "churned_customers / (customers − new_customers + churned_customers)")
            if start > 0
            else Figure(
                None,
                "churned_customers / (customers − new_customers + churned_customers)",
                churn_inputs,
                "no customers at the start of the period",
            )
        )

    arpa, churn, margin = f["arpa"], f["churn_rate"], inputs.get("gross_margin")
    ltv_formula = "arpa × gross_margin / churn_rate"
    ltv_missing = sorted({*arpa.missing, *churn.missing, *_needs(inputs, "gross_margin")})
    if arpa.value is None or churn.value is None or margin is None:
        f["ltv"] = Figure(None, ltv_formula, ltv_missing, arpa.reason or churn.reason or "not given")
    elif churn.value == 0:
        f["ltv"] = Figure(None, ltv_formula, ["churned_customers"], "churn rate is 0: lifetime is unbounded")
    else:
        f["ltv"] = Figure(arpa.value * margin / churn.value, ltv_formula)

    f["cac"] = _ratio(
        _input(inputs, "sales_marketing_spend"),
        _input(inputs, "new_customers"),
        "sales_marketing_spend / new_customers",
        ["new_customers"],
        "new_customers is 0",
    )
    ltv, cac = f["ltv"], f["cac"]
    f["ltv_cac_ratio"] = _ratio(ltv, cac, "ltv / cac", sorted({*ltv.missing, *cac.missing}), "cac is 0")

    parts = ("new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr")
    values = [inputs.get(p) for p in parts]
    f["net_new_mrr"] = Figure(
        None if None in values else (values[0] or 0) + (values[1] or 0) - (values[2] or 0) - (values[3] or 0),
        "new_mrr + expansion_mrr − contraction_mrr − churned_mrr",
        _needs(inputs, *parts),
    )

    f["ai_spend_this_month"] = Figure(
        ai_spend,
        "measured: Claude Code telemetry this month (docs/costs.md)",
        [] if ai_spend is not None else ["telemetry"],
        None if ai_spend is not None else "no Claude Code telemetry this month",
    )
    if ai_spend is None or mrr is None or mrr == 0:
        missing = (["telemetry"] if ai_spend is None else []) + (["mrr"] if mrr is None else [])
        reason = "mrr is 0" if mrr == 0 else "not given"
        f["ai_spend_pct_of_mrr"] = Figure(None, "ai_spend_this_month / mrr × 100", missing, reason)
    else:
        f["ai_spend_pct_of_mrr"] = Figure(ai_spend / mrr * 100, "ai_spend_this_month / mrr × 100")

    operating = inputs.get("monthly_operating_costs")
    costs = None if operating is None else operating + (ai_spend or 0.0)
    spent = " + ai_spend_this_month" if ai_spend is not None else ""
    f["gross_burn"] = Figure(costs, f"monthly_operating_costs{spent}", _needs(inputs, "monthly_operating_costs"))
    revenue = inputs.get("revenue_this_month")
    burn_formula = f"monthly_operating_costs{spent} − revenue_this_month (mrr when revenue_this_month is not given)"
    if revenue is None:
        revenue = mrr
    burn_missing = _needs(inputs, "monthly_operating_costs") + (
        ["revenue_this_month", "mrr"] if revenue is None else []
    )
    net_burn = None if costs is None or revenue is None else costs - revenue
    f["net_burn"] = Figure(net_burn, burn_formula, burn_missing, "not given" if burn_missing else None)
    f["burn_rate"] = Figure(net_burn, "net_burn", burn_missing, "not given" if burn_missing else None)

    cash = inputs.get("cash_balance")
    runway_formula = "cash_balance / net_burn"
    if net_burn is not None and net_burn <= 0:
        f["runway_months"] = Figure(None, runway_formula, [], "not burning cash (net burn ≤ 0)", infinite=True)
    elif net_burn is None or cash is None:
        f["runway_months"] = Figure(
            None, runway_formula, sorted({*burn_missing, *_needs(inputs, "cash_balance")}), "not given"
        )
    else:
        f["runway_months"] = Figure(max(cash, 0.0) / net_burn, runway_formula)
    return f
