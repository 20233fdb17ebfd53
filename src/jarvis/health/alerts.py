"""When a service's checks are worth a message, as Gatus decides it.

A service is declared down once `failure_threshold` consecutive checks failed (one failed check is
often a blip), and up again once `success_threshold` consecutive checks answered; the first sends a
"down" message, the second (with `send_on_resolved`) "up again after 12 min". While it stays down, a
reminder goes out every `reminder_interval_s`, if set. Degraded counts as answering: the proactive
engine speaks of slow services, this module of dead ones.

Pure: `AlertState.observe` takes one outcome and returns the messages to send; the scheduler delivers
them through the notifications domain (`ctx.extras[DELIVERER]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jarvis.core import clock
from jarvis.settings import ServiceConfig

DEFAULT = ServiceConfig(name="default", url="http://127.0.0.1/")


@dataclass(slots=True)
class AlertState:
    failures: int = 0
    successes: int = 0
    down_since: datetime | None = None  # the first failed check of the run that made it down
    first_failure: datetime | None = None
    alerted: bool = False
    reminded_at: datetime | None = None

    def observe(
        self, name: str, config: ServiceConfig | None, *, status: str, at: datetime, error: str | None
    ) -> list[dict[str, Any]]:
        rules = config or DEFAULT
        if status == "offline":
            self.successes = 0
            self.failures += 1
            if self.failures == 1:
                self.first_failure = at
            if not self.alerted and self.failures >= rules.failure_threshold:
                self.alerted, self.down_since, self.reminded_at = True, self.first_failure or at, at
                return [_down(name, self.failures, error, at)]
            if self.alerted and rules.reminder_interval_s and self.reminded_at is not None:
                if (at - self.reminded_at).total_seconds() >= rules.reminder_interval_s:
                    self.reminded_at = at
                    return [_still_down(name, self.down_since or at, error, at)]
            return []
        if status not in ("healthy", "degraded"):
            return []
        self.failures = 0
        self.successes += 1
        if self.alerted and self.successes >= rules.success_threshold:
            down_since = self.down_since or at
            self.alerted, self.down_since, self.reminded_at = False, None, None
            return [_up(name, down_since, at)] if rules.send_on_resolved else []
        return []


def _message(name: str, event: str, title: str, why: str, priority: str, at: datetime) -> dict[str, Any]:
    return {
        "event": event,
        "service": name,
        "title": title,
        "why": why,
        "message": why,
        "priority": priority,
        "link": f"/services/{name}",
        "at": clock.iso(at),
    }


def _down(name: str, failures: int, error: str | None, at: datetime) -> dict[str, Any]:
    said = f" The last check said: {error}." if error else ""
    why = f"{name} failed {failures} checks in a row.{said}"
    return _message(name, "service.down", f"{name} is down", why, "critical", at)


def _still_down(name: str, since: datetime, error: str | None, at: datetime) -> dict[str, Any]:
    said = f" The last check said: {error}." if error else ""
    why = f"{name} has been down for {clock.human_duration((at - since).total_seconds())}.{said}"
    return _message(name, "service.down", f"{name} is still down", why, "critical", at)


def _up(name: str, since: datetime, at: datetime) -> dict[str, Any]:
    after = clock.human_duration((at - since).total_seconds())
    why = f"{name} is up again after {after}."
    return _message(name, "service.up", f"{name} is up again", why, "high", at)
