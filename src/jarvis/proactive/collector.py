"""Start the engine: a timer (`proactive.refresh_interval_s`) and a watcher of changes."""

from __future__ import annotations

from jarvis.core.context import AppContext
from jarvis.proactive.engine import ENGINE, Engine


def install(ctx: AppContext) -> None:
    """Register the engine (always, so the API answers) and, when enabled, its jobs."""
    engine = Engine(ctx)
    ctx.extras[ENGINE] = engine
    if not ctx.settings.proactive.enabled:
        return
    ctx.runtime.every("proactive-refresh", ctx.settings.proactive.refresh_interval_s, engine.run_timer)
    ctx.runtime.task("proactive-watch", engine.watch)
