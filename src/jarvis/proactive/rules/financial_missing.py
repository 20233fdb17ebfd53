"""Financial figures that cannot be computed for lack of input: one suggestion naming the inputs."""

from __future__ import annotations

from pydantic import Field

from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State

NAME = "financial_missing"
WATCHED = ["mrr", "arr", "burn_rate", "runway_months", "ltv", "cac"]


class Settings(RuleSettings):
    figures: list[str] = Field(default_factory=lambda: list(WATCHED))  # the figures worth asking about


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    figures = state.section("financial").get("figures") or {}
    blocked: dict[str, list[str]] = {}
    for name in cfg.figures:
        figure = figures.get(name) or {}
        missing = [str(item) for item in figure.get("missing") or []]
        if figure.get("value") is None and missing and not figure.get("infinite"):
            blocked[name] = missing
    if not blocked:
        return []
    inputs = sorted({item for items in blocked.values() for item in items})
    listing = "; ".join(f"{name} needs {', '.join(items)}" for name, items in blocked.items())
    return [
        Finding(
            rule=NAME,
            kind="financial_missing",
            key=NAME,
            title=f"{len(blocked)} financial figure{'s' if len(blocked) > 1 else ''} cannot be computed",
            why=f"Missing input: {listing}. Add {', '.join(inputs)} in [financial] or with POST "
            "/api/financial/snapshots and they will be computed.",
            link="/#financial",
            priority="low",
            figures={"figures": sorted(blocked), "inputs": inputs},
        )
    ]


SPEC = RuleSpec(NAME, "A financial figure that cannot be computed for lack of input.", Settings, evaluate)
