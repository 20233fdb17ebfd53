"""Which services are watched: built-in defaults, `[[services]]` from jarvis.toml, and the API.

A `ServiceSpec` is the one description the scheduler, the checks and the API share; its
`source` decides who may change it (only `api` services change through the API).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jarvis.core import clock
from jarvis.settings import ServiceConfig, Settings

Source = Literal["default", "config", "api"]
Kind = Literal["http", "tcp", "push", "self"]

SELF_NAME = "jarvis-dashboard"
CONTROL_PLANE_NAME = "jarvis-control-plane"
AI_DAWG_NAME = "ai-dawg"
SELF_INTERVAL_S = 30.0


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    kind: Kind
    source: Source
    interval_s: float
    config: ServiceConfig | None  # None only for the in-process self check

    @property
    def target(self) -> str:
        if self.config is None:
            return "in-process: database ping"
        if self.config.kind == "tcp":
            return f"{self.config.host}:{self.config.port}"
        if self.config.kind == "push":
            return f"push: a ping every {clock.human_duration(self.config.interval_s)}"
        return str(self.config.url)


def from_config(config: ServiceConfig, source: Source) -> ServiceSpec:
    return ServiceSpec(config.name, config.kind, source, config.interval_s, config)


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + path


def defaults(settings: Settings) -> list[ServiceSpec]:
    """What the seed watched with no configuration: itself and the original services when set."""
    specs = [ServiceSpec(SELF_NAME, "self", "default", SELF_INTERVAL_S, None)]
    upstream = settings.upstream
    if upstream.jarvis_api_url:
        config = ServiceConfig(
            name=CONTROL_PLANE_NAME,
            url=_join(upstream.jarvis_api_url, "/health"),
            expect_status=[200],
            degraded_status=[207],  # /health/detailed style: 207 means degraded, not healthy
            bearer_env=upstream.jarvis_auth_token_env,
        )
        specs.append(from_config(config, "default"))
    if upstream.ai_dawg_api_url:
        config = ServiceConfig(name=AI_DAWG_NAME, url=_join(upstream.ai_dawg_api_url, "/api/v1/jarvis/desktop/health"))
        specs.append(from_config(config, "default"))
    return specs


def static_specs(settings: Settings) -> dict[str, ServiceSpec]:
    """Defaults, then jarvis.toml (a `[[services]]` entry with a default's name replaces it)."""
    specs = {spec.name: spec for spec in defaults(settings)}
    for config in settings.services:
        specs[config.name] = from_config(config, "config")
    return specs
