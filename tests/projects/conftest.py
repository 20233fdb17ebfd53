"""The projects tests share the agent-fleet fixtures (settings with a monitoring folder)."""

from tests.instances.conftest import monitoring_dir, settings

__all__ = ["monitoring_dir", "settings"]
