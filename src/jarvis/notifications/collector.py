"""Start the notifier: one worker per configured channel, and recovery of queued deliveries."""

from __future__ import annotations

from jarvis.core.context import AppContext
from jarvis.notifications.service import NOTIFIER, Notifier


def install(ctx: AppContext) -> None:
    notifier = Notifier(ctx)
    ctx.extras[NOTIFIER] = notifier
    for name in notifier.channels:
        ctx.runtime.task(f"notifications-{name}", notifier.worker(name))
    if notifier.channels:
        ctx.runtime.task("notifications-recover", notifier.recover_job)
