"""metrics background jobs."""

from __future__ import annotations

from jarvis.core.context import AppContext


def install(ctx: AppContext) -> None:
    """Register this domain's jobs and state on the app context."""
