"""Health fixtures: the misbehaving peer, and settings with fast, retry-free checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from jarvis.core.context import AppContext
from jarvis.health.scheduler import SCHEDULER, HealthScheduler
from jarvis.settings import Settings
from tests.conftest import free_port, make_settings
from tests.health.servers import Peer

# The slow peer answers in 0.3 s: a 1 s timeout leaves it room on a loaded machine.
FAST_HTTP = {"timeout_s": 1.0, "retry_attempts": 1, "retry_base_delay_s": 0.0}


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    server = await Peer().start()
    yield server
    await server.stop()


@pytest.fixture
def closed_port() -> int:
    return free_port()


def services_for(peer: Peer, closed_port: int, interval_s: float = 30.0) -> list[dict[str, Any]]:
    """One service per misbehaviour, as `[[services]]` entries."""
    common = {"interval_s": interval_s, "degraded_over_ms": 150}
    return [
        {"name": "good", "url": f"{peer.url}/ok", **common},
        {"name": "slow", "url": f"{peer.url}/slow", **common},
        {"name": "error", "url": f"{peer.url}/error", **common},
        {"name": "hang", "url": f"{peer.url}/hang", **common},
        {"name": "closed", "url": f"http://127.0.0.1:{closed_port}/", **common},
        {"name": "loop", "url": f"{peer.url}/redirect", **common},
        {"name": "huge", "url": f"{peer.url}/huge", **common},
    ]


EXPECTED = {
    "good": "healthy",
    "slow": "degraded",
    "error": "offline",
    "hang": "offline",
    "closed": "offline",
    "loop": "offline",
    "huge": "offline",
}


@pytest.fixture
def settings(tmp_path: Path, db_url: str, peer: Peer, closed_port: int) -> Settings:
    return make_settings(
        tmp_path, database_url=db_url, http=FAST_HTTP, services=services_for(peer, closed_port, interval_s=2.0)
    )


@pytest.fixture
def scheduler(ctx: AppContext) -> HealthScheduler:
    health = ctx.extras[SCHEDULER]
    return health
