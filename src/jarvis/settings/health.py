"""One monitored service (`[[services]]`, also the body of `POST /api/services`)."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from jarvis.settings.base import NAME_PATTERN, Section


class ServiceConfig(Section):
    """One `[[services]]` entry; also the body of `POST /api/services`."""

    name: str = Field(pattern=NAME_PATTERN, max_length=63)
    # `push`: nothing is fetched; a cron job or CI pings the service's secret URL, and no ping within
    # `interval_s + grace_s` makes it down (healthchecks.io's model). Created through the API, which hands out the URL.
    kind: Literal["http", "tcp", "push"] = "http"
    url: str | None = Field(None, max_length=2048, validate_default=True)
    method: Literal["GET", "HEAD", "POST"] = "GET"
    expect_status: list[int] = Field(default_factory=lambda: [200], min_length=1, max_length=50)
    # Answers that count as up but not fully well (the control plane's 207 from /health/detailed).
    degraded_status: list[int] = Field(default_factory=list, max_length=50)
    body_contains: str | None = Field(None, max_length=1000)
    json_path: str | None = Field(None, max_length=200)
    json_equals: Any = None
    headers_env: dict[str, str] = Field(default_factory=dict, max_length=20)
    bearer_env: str | None = Field(None, max_length=100, description="env var holding a bearer token")
    host: str | None = Field(None, max_length=255, validate_default=True)
    port: int | None = Field(None, ge=1, le=65535, validate_default=True)
    interval_s: float = Field(30.0, ge=1, le=86400 * 7)
    grace_s: float = Field(60.0, ge=0, le=86400, description="push monitors: how late a ping may be")
    timeout_s: float | None = Field(None, gt=0, le=120)
    retries: int | None = Field(None, ge=0, le=10)
    retry_base_delay_s: float | None = Field(None, ge=0, le=60)
    degraded_over_ms: float = Field(1000.0, gt=0)
    # Alerts (`health/alerts.py`): down after this many failed checks in a row, up after this many answers;
    # a message when it comes back; a reminder while it stays down (off when unset).
    failure_threshold: int = Field(3, ge=1, le=100)
    success_threshold: int = Field(1, ge=1, le=100)
    send_on_resolved: bool = True
    reminder_interval_s: float | None = Field(None, ge=60, le=7 * 86400)

    @field_validator("url")
    @classmethod
    def _url_for_http(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("kind", "http") == "http" and not value:
            raise ValueError("is required for an http service")
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must start with http:// or https:// and name a host")
        return value

    @field_validator("json_equals")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        """TOML has `nan` and `inf`; JSON (and PostgreSQL's JSON columns) has neither."""
        if not _finite_json(value):
            raise ValueError("must be a JSON value: NaN and infinity are not numbers JSON can hold")
        return value

    @field_validator("host", "port")
    @classmethod
    def _target_for_tcp(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("kind") == "tcp" and not value:
            raise ValueError("is required for a tcp service")
        return value

    @field_validator("expect_status", "degraded_status")
    @classmethod
    def _http_codes(cls, value: list[int]) -> list[int]:
        if any(code < 100 or code > 599 for code in value):
            raise ValueError("must hold HTTP status codes between 100 and 599")
        return value


def _finite_json(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite_json(item) for item in value.values())
    if isinstance(value, list):
        return all(_finite_json(item) for item in value)
    return True


class StatusPageSettings(Section):
    """`/status`: a read-only page anyone may open (off unless enabled). It shows names, status, uptime
    and incidents only: never a target, an error text or anything else of the checks."""

    enabled: bool = False
    title: str = Field("Service status", max_length=100)
    # The services it lists (by name), in this order; empty: every service but the built-in ones.
    services: list[str] = Field(default_factory=list, max_length=200)
    # The names shown for them (`{"shop-api" = "Shop"}`); a service without one shows its own name.
    labels: dict[str, str] = Field(default_factory=dict, max_length=200)
