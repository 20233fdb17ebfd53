"""Settings checks that need a domain's knowledge: rule names, module ids.

The settings model knows nothing of the domains (they import it, not the other way round), so
these run once the settings are loaded: in `create_app` and in every command that reads settings.
A failure is one `SettingsError` line, phrased like the loader's.
"""

from __future__ import annotations

from collections.abc import Callable

from jarvis.metrics import modules
from jarvis.proactive import rules
from jarvis.settings import Settings, SettingsError


def check_settings(settings: Settings) -> Settings:
    checks: list[tuple[str, Callable[[], None]]] = [
        ("metrics", lambda: modules.check_settings(settings.metrics)),
        ("proactive.rules", lambda: rules.validate_rule_tables(settings.proactive.rules)),
    ]
    for dotted, check in checks:
        try:
            check()
        except ValueError as exc:
            raise SettingsError(f"invalid setting `{dotted}`: {exc}") from None
    return settings
