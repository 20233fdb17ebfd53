"""The dashboard's sections, each built by its own domain; this is the one place that composes them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from jarvis.core.context import AppContext
from jarvis.core.sections import Section
from jarvis.financial import service as financial
from jarvis.health import service as health
from jarvis.instances import service as instances
from jarvis.metrics import service as metrics
from jarvis.projects import service as projects

SectionBuilder = Callable[[AppContext], Awaitable[dict[str, Any]]]

BUILDERS: dict[Section, SectionBuilder] = {
    "instances": instances.dashboard_section,
    "waves": projects.dashboard_section,
    "health": health.dashboard_section,
    "business": metrics.dashboard_section,
    "financial": financial.dashboard_section,
}
