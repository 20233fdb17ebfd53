"""Push monitors (healthchecks.io's model): a cron job or CI pings a secret URL; silence means down.

Nothing is fetched. Each ping (`GET` or `POST /api/push/{token}`, optionally `status=down&msg=…`) is a
check result of its own; the scheduler's turn only looks at the clock, and records the service down
once no ping came within `interval_s + grace_s` of the last one (or of when the monitor started
waiting, for one that never pinged yet, or after a restart). The token is shown once, when the monitor
is created; the server keeps its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from jarvis.core import clock
from jarvis.health.checks import Outcome
from jarvis.settings import ServiceConfig

TOKEN_BYTES = 24


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def overdue(config: ServiceConfig, *, last: datetime, now: datetime) -> Outcome | None:
    """An `offline` result when the last ping (or the start of waiting) is older than interval + grace."""
    late = (now - last).total_seconds()
    if late <= config.interval_s + config.grace_s:
        return None
    expected = f"expected every {clock.human_duration(config.interval_s)}"
    grace = f" + {clock.human_duration(config.grace_s)} grace" if config.grace_s else ""
    return Outcome(now, "offline", None, error=f"no ping for {clock.human_duration(late)} ({expected}{grace})")


def ping_outcome(*, at: datetime, down: bool, message: str | None) -> Outcome:
    if down:
        return Outcome(at, "offline", None, error=f"reported down: {message}" if message else "reported down")
    return Outcome(at, "healthy", None, error=None)
