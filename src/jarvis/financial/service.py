"""financial services."""

from __future__ import annotations

from typing import Any

from jarvis.core import clock
from jarvis.core.context import AppContext


async def dashboard_section(ctx: AppContext) -> dict[str, Any]:
    """The dashboard's financial section (empty shape until the domain lands)."""
    return {"timestamp": clock.iso(clock.now())}
