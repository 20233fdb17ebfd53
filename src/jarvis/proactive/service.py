"""What other domains may ask of the proactive engine (chat lists the open suggestions)."""

from __future__ import annotations

from typing import Any

from jarvis.core.context import AppContext
from jarvis.proactive import scores, store


async def open_suggestions(ctx: AppContext, *, limit: int = 50) -> list[dict[str, Any]]:
    """Active suggestions, ranked as the bell shows them (priority, then score, then newest)."""
    async with ctx.db.sessions() as session:
        score_map = await scores.load(session)
        rows = await store.listed(session, status="active", scores=score_map, limit=limit)
        return [store.public(row, score_map.get((row.rule, row.kind), scores.PRIOR)) for row in rows]
