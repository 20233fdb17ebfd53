"""Typed settings: the model (one module per concern) and the loader that fills it.

`from jarvis.settings import Settings, load_settings` is the public face; the tables live in
the modules beside this one. Settings import nothing of the domains: checks that need a
domain's knowledge (rule names, module ids) run in `jarvis.app.check_settings`.
"""

from jarvis.settings.agents import AttentionSettings, MonitoringSettings
from jarvis.settings.auth import AuthSettings
from jarvis.settings.base import METRIC_KEY_PATTERN, NAME_PATTERN, Section
from jarvis.settings.chat import ChatSettings
from jarvis.settings.health import ServiceConfig, StatusPageSettings
from jarvis.settings.loader import SEED_ENV, SettingsError, config_path, load_settings, masked
from jarvis.settings.metrics import CustomModuleConfig, FinancialSettings, MetricSourceConfig, MetricsSettings
from jarvis.settings.model import Settings
from jarvis.settings.proactive import ChannelConfig, NotificationsSettings, ProactiveSettings
from jarvis.settings.server import (
    BackupSettings,
    CacheSettings,
    CacheTTL,
    DatabaseSettings,
    HttpSettings,
    RateLimitSettings,
    RetentionSettings,
    ServerSettings,
    UpstreamSettings,
)

__all__ = [
    "METRIC_KEY_PATTERN",
    "NAME_PATTERN",
    "SEED_ENV",
    "AuthSettings",
    "BackupSettings",
    "DatabaseSettings",
    "CacheSettings",
    "CacheTTL",
    "ChannelConfig",
    "ChatSettings",
    "CustomModuleConfig",
    "FinancialSettings",
    "HttpSettings",
    "MetricSourceConfig",
    "MetricsSettings",
    "AttentionSettings",
    "MonitoringSettings",
    "NotificationsSettings",
    "ProactiveSettings",
    "RateLimitSettings",
    "RetentionSettings",
    "Section",
    "ServerSettings",
    "ServiceConfig",
    "StatusPageSettings",
    "Settings",
    "SettingsError",
    "UpstreamSettings",
    "config_path",
    "load_settings",
    "masked",
]
