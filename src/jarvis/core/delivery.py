"""What the notifications domain offers the domains that have something to say (`ctx.extras[DELIVERER]`).

The proactive engine (suggestions) and the health scheduler (a service down, up again) hand it a
message; it stores one delivery per channel that accepts the message's priority and sends them in the
background. Declared here so neither depends on the notifications domain, which installs it.
"""

from __future__ import annotations

from typing import Any, Protocol

from jarvis.core.extras import Key


class Deliverer(Protocol):
    async def submit(self, message: dict[str, Any]) -> list[str]:
        """Queue `message` (`title`, `why`, `priority`, `link`, and `event` or a suggestion `id`) for every
        channel that accepts it; the names of those channels. Never waits for a send."""
        ...


DELIVERER = Key[Deliverer]("notifications")
