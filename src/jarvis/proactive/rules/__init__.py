"""The rule registry: one module per rule, each with its own settings model.

`validate_rule_tables` is called at start-up (`jarvis.app.check_settings`) so that `[proactive.rules.<name>]`
with an unknown rule or key fails start-up with one line naming it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from jarvis.proactive.rules import (
    agents,
    ai_budget,
    blockers,
    cache_ratio,
    financial_missing,
    flapping,
    latency,
    metric_anomaly,
    runway,
    service_down,
    usage,
    waves,
)
from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State

RULES: dict[str, RuleSpec] = {
    spec.name: spec
    for spec in (
        service_down.SPEC,
        flapping.SPEC,
        latency.SPEC,
        agents.SPEC,
        blockers.SPEC,
        waves.SPEC,
        metric_anomaly.SPEC,
        runway.SPEC,
        ai_budget.SPEC,
        financial_missing.SPEC,
        cache_ratio.SPEC,
        usage.FIRST_SPEC,
        usage.AFTER_SPEC,
    )
}


def validate_rule_tables(tables: dict[str, dict[str, Any]]) -> None:
    """Raise ValueError naming the first unknown rule or bad key."""
    for name, table in tables.items():
        spec = RULES.get(name)
        if spec is None:
            raise ValueError(f"unknown rule `{name}` (known: {', '.join(sorted(RULES))})")
        try:
            spec.settings.model_validate(table)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(part) for part in error["loc"]) or name
            if error["type"] == "extra_forbidden":
                known = ", ".join(spec.settings.model_fields)
                raise ValueError(f"rule `{name}`: `{key}` is not a known setting (known: {known})") from None
            raise ValueError(f"rule `{name}`: `{key}` {error['msg']}") from None


def configured(tables: dict[str, dict[str, Any]]) -> dict[str, RuleSettings]:
    """Every rule's effective settings (defaults where the file says nothing)."""
    return {name: spec.settings.model_validate(tables.get(name, {})) for name, spec in RULES.items()}


__all__ = ["RULES", "Finding", "RuleSettings", "RuleSpec", "State", "configured", "validate_rule_tables"]
