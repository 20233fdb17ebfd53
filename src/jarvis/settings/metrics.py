"""Business metrics (pull sources, custom modules) and the standing financial inputs."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from jarvis.settings.base import METRIC_KEY_PATTERN, NAME_PATTERN, Section


class MetricSourceConfig(Section):
    """One `[[metrics.sources]]` entry: an HTTP JSON endpoint polled on an interval.

    `map` goes from a metric key of `module` to a dotted JSON path (`data.metrics.x`);
    empty means the AI DAWG `/api/v1/modules/{name}` shape (every number under
    `data.metrics`, health from `data.status`, uptime from `data.uptime`).
    """

    name: str = Field(pattern=NAME_PATTERN)
    url: str = Field(max_length=2048, pattern=r"^https?://")
    interval_s: float = Field(60.0, ge=1, le=86400)
    module: str = Field(pattern=NAME_PATTERN)
    map: dict[str, str] = Field(default_factory=dict, max_length=200)
    health_path: str | None = Field(None, max_length=200)
    uptime_path: str | None = Field(None, max_length=200)
    headers_env: dict[str, str] = Field(default_factory=dict, max_length=20)
    timeout_s: float | None = Field(None, gt=0, le=120)
    retries: int | None = Field(None, ge=0, le=10)

    @field_validator("map")
    @classmethod
    def _metric_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key, path in value.items():
            if not re.match(METRIC_KEY_PATTERN, key):
                raise ValueError(f"key {key!r} must match {METRIC_KEY_PATTERN}")
            if not path or len(path) > 200:
                raise ValueError(f"the JSON path of {key!r} must be 1 to 200 characters")
        return value


class CustomModuleConfig(Section):
    id: str = Field(pattern=NAME_PATTERN)
    name: str = Field(max_length=100)
    priority: int = Field(10, ge=1, le=100)
    keys: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("keys")
    @classmethod
    def _metric_keys(cls, value: list[str]) -> list[str]:
        bad = [key for key in value if not re.match(METRIC_KEY_PATTERN, key)]
        if bad:
            raise ValueError(f"keys must match {METRIC_KEY_PATTERN}: {', '.join(bad)}")
        return value


class MetricsSettings(Section):
    sources: list[MetricSourceConfig] = Field(default_factory=list)
    modules: list[CustomModuleConfig] = Field(default_factory=list)
    max_batch: int = Field(1000, ge=1, le=100_000)
    max_future_s: float = Field(300.0, ge=0, le=86400, description="how far ahead a point's timestamp may be")

    @model_validator(mode="after")
    def _unique_sources(self) -> MetricsSettings:
        # Whether each source's module exists is the metrics domain's check (`jarvis.app.check_settings`).
        custom = [module.id for module in self.modules]
        repeated_ids = sorted({m for m in custom if custom.count(m) > 1})
        if repeated_ids:
            raise ValueError(f"custom module ids must be unique, repeated: {', '.join(repeated_ids)}")
        names = [source.name for source in self.sources]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"metric source names must be unique, repeated: {', '.join(repeated)}")
        return self


class FinancialSettings(Section):
    """Standing inputs; API snapshots override them per period. Missing stays missing.

    The field names are those of a snapshot (`jarvis.financial.fields.INPUT_FIELDS`).
    """

    mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    customers: int | None = Field(None, ge=0)
    new_customers: int | None = Field(None, ge=0)
    churned_customers: int | None = Field(None, ge=0)
    new_mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    expansion_mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    contraction_mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    churned_mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    revenue_today: float | None = Field(None, ge=0, allow_inf_nan=False)
    revenue_this_month: float | None = Field(None, ge=0, allow_inf_nan=False)
    cash_balance: float | None = Field(None, allow_inf_nan=False)
    monthly_operating_costs: float | None = Field(None, ge=0, allow_inf_nan=False)
    sales_marketing_spend: float | None = Field(None, ge=0, allow_inf_nan=False)
    gross_margin: float | None = Field(None, ge=0, le=1)
