"""Response models of `/api/dashboard/*`, `/api/cache/*` and `/health`: the seed's shapes (see
`dashboard/seed.py`), as /docs shows them. Extra keys are ours; the seed's keys keep the seed's types."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class InstanceMetrics(_Open):
    tasks_completed: int
    tasks_in_progress: int
    tasks_pending: int
    blockers_count: int
    total_estimated_hours: float | None
    total_actual_hours: float | None
    efficiency_ratio: float | None
    overall_completion_percent: int = Field(description="The seed's figure: mean project completion, rounded")
    overall_completion: float | None = Field(description="Ours: completed tasks over all tasks, in percent")
    active_instances: int
    total_instances: int


class TrackerTask(_Open):
    id: str
    name: str | None
    status: str | None
    estimated_hours: float | None
    actual_hours: float | None


class TrackerProject(_Open):
    name: str | None
    status: str | None
    completion_percent: float | None
    estimated_hours: float | None
    actual_hours: float | None
    remaining_hours: float | None
    assigned_to: str = Field(description="Comma-separated instance ids, as the tracker file has them")
    tasks: list[TrackerTask]


class TrackerStatus(_Open):
    file: str
    ok: bool = Field(description="Whether the latest read of the file was good")
    problem: str | None = Field(description="What is wrong with the file and what to do; null when it is good")
    since: str | None = Field(description="When the current problem was first noticed")
    last_good_at: str | None = Field(description="When the data shown was read (the last good read)")
    warnings: list[str] = Field(description="Fields and entries the last good read skipped, each with its place")


class InstancesSection(_Open):
    instances: list[dict[str, Any]] = Field(description="Every instance, each with its `id`")
    metrics: InstanceMetrics
    blockers: list[dict[str, Any]]
    projects: dict[str, TrackerProject] = Field(description="Projects keyed by id, as in the tracker file")
    updated: str | None = Field(description="When the newest instance data was seen")
    tracker: TrackerStatus | None = Field(None, description="The tracker file's status; null without monitoring.dir")
    timestamp: str


class Wave(_Open):
    id: str
    name: str
    status: str
    completion: float = Field(description="Percent complete")
    estimated_hours: float | None
    actual_hours: float | None
    remaining_hours: float | None
    tasks_completed: int
    tasks_total: int


class Module(_Open):
    name: str
    priority: int
    status: str
    health: str
    uptime: float | None
    metrics: dict[str, float] = Field(description="The module's figures that have a value")


class BusinessSection(_Open):
    music: Module
    marketing: Module
    engagement: Module
    automation: Module
    intelligence: Module


class Service(_Open):
    status: str
    error: str | None


class HealthSection(_Open):
    overall: str
    services: dict[str, Service] = Field(description="Services keyed by name (the list is at /api/services)")
    timestamp: str


class FinancialSection(_Open):
    mrr: float | None
    arr: float | None
    customers: float | None
    revenue_today: float | None
    revenue_this_month: float | None
    cac: float | None
    ltv: float | None
    burn_rate: float | None
    runway_months: float | None
    calculation_source: str | None
    last_updated: str | None


class Overview(_Open):
    instances: InstancesSection
    business: BusinessSection
    health: HealthSection
    financial: FinancialSection
    waves: list[Wave]
    timestamp: str
    version: int = Field(description="Ours: the snapshot version")


class CacheStats(_Open):
    size: int
    keys: list[str]
    hits: int
    misses: int
    hit_ratio: float | None


class CacheCleared(BaseModel):
    cleared: int
    key: str | None


class Health(_Open):
    status: str = Field(description="`healthy`, or `degraded` when the database does not answer (503)")
    service: str
    version: str
    uptime_s: float
    timestamp: str
    database: str
    cache: CacheStats


class CacheClear(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str | None = Field(None, max_length=200)
