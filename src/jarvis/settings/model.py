"""`Settings`: the effective configuration of one process, one typed table per concern."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from jarvis.settings.agents import AttentionSettings, MonitoringSettings
from jarvis.settings.auth import AuthSettings
from jarvis.settings.chat import ChatSettings
from jarvis.settings.health import ServiceConfig, StatusPageSettings
from jarvis.settings.metrics import FinancialSettings, MetricsSettings
from jarvis.settings.proactive import NotificationsSettings, ProactiveSettings
from jarvis.settings.server import (
    BackupSettings,
    CacheSettings,
    DatabaseSettings,
    HttpSettings,
    RateLimitSettings,
    RetentionSettings,
    ServerSettings,
    UpstreamSettings,
)


class Settings(BaseSettings):
    """The effective configuration of one `jarvis serve` process."""

    model_config = SettingsConfigDict(extra="forbid")

    data_dir: Path = Path(".jarvis")
    database_url: str | None = None
    debug: bool = False
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    server: ServerSettings = Field(default_factory=ServerSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    attention: AttentionSettings = Field(default_factory=AttentionSettings)
    upstream: UpstreamSettings = Field(default_factory=UpstreamSettings)
    services: list[ServiceConfig] = Field(default_factory=list)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    financial: FinancialSettings = Field(default_factory=FinancialSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    proactive: ProactiveSettings = Field(default_factory=ProactiveSettings)
    notifications: NotificationsSettings = Field(default_factory=NotificationsSettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    status_page: StatusPageSettings = Field(default_factory=StatusPageSettings)

    @field_validator("services")
    @classmethod
    def _unique_service_names(cls, value: list[ServiceConfig]) -> list[ServiceConfig]:
        names = [service.name for service in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"service names must be unique, repeated: {', '.join(duplicates)}")
        pushed = [service.name for service in value if service.kind == "push"]
        if pushed:
            raise ValueError(
                f"{pushed[0]} is a push monitor: create it through the API (POST /api/services), which hands out "
                "its secret ping URL"
            )
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'jarvis.db').resolve()}"

    @property
    def tracker_path(self) -> Path | None:
        if self.monitoring.dir is None:
            return None
        return self.monitoring.dir / self.monitoring.tracker_file

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Everything is passed in by `load_settings`, already merged in priority order,
        # so that each bad value can be traced back to the file or variable it came from.
        return (init_settings,)
