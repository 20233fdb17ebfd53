"""The business modules: the seed's five, plus custom ones from `[[metrics.modules]]`.

A module is only a name, a priority (display order) and the keys it is expected to
report; points may carry other keys too (validated by pattern), so a new metric never
needs a release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jarvis.settings import METRIC_KEY_PATTERN, MetricsSettings, Settings

KEY_PATTERN = METRIC_KEY_PATTERN

KEY_RE = re.compile(KEY_PATTERN)


@dataclass(frozen=True, slots=True)
class Module:
    id: str
    name: str
    priority: int
    keys: tuple[str, ...]


BUILTIN: tuple[Module, ...] = (
    Module(
        "music",
        "Music Generation",
        1,
        ("generations_today", "success_rate", "avg_generation_time", "total_generations", "revenue"),
    ),
    Module(
        "marketing",
        "Marketing & Strategy",
        2,
        ("users_today", "conversion_rate", "revenue_today", "total_revenue", "growth_rate"),
    ),
    Module(
        "engagement",
        "User Engagement",
        3,
        ("active_users", "churn_risk", "support_tickets", "satisfaction_score", "response_time"),
    ),
    Module(
        "automation",
        "Workflow Automation",
        4,
        ("workflows_executed", "automation_savings", "test_coverage", "deployment_frequency", "error_rate"),
    ),
    Module(
        "intelligence",
        "Business Intelligence",
        5,
        ("dashboards", "reports_generated", "insights_delivered", "data_quality", "forecast_accuracy"),
    ),
)
BUILTIN_IDS = frozenset(module.id for module in BUILTIN)

# The original AI DAWG backend named the automation module `testing`.
ALIASES = {"testing": "automation"}


def canonical(module_id: str) -> str:
    return ALIASES.get(module_id, module_id)


def check_settings(settings: MetricsSettings) -> None:
    """Raise ValueError when a custom module reuses a built-in id or a source names an unknown module."""
    custom = [module.id for module in settings.modules]
    clashes = sorted(set(custom) & (BUILTIN_IDS | set(ALIASES)))
    if clashes:
        raise ValueError(f"custom module ids must be new, these are built in: {', '.join(clashes)}")
    known = BUILTIN_IDS | set(custom) | set(ALIASES)
    for source in settings.sources:
        if source.module not in known:
            raise ValueError(f"source {source.name!r}: unknown module {source.module!r}")


def registry(settings: Settings) -> dict[str, Module]:
    """Every known module by id, in display order (priority, then id)."""
    modules = list(BUILTIN)
    for custom in settings.metrics.modules:
        modules.append(Module(custom.id, custom.name, custom.priority, tuple(custom.keys)))
    modules.sort(key=lambda module: (module.priority, module.id))
    return {module.id: module for module in modules}
