"""Chat start-up: the registry of answers in progress, and a one-off job that marks answers left
`streaming` by a previous process (killed mid-answer) as interrupted."""

from __future__ import annotations

from jarvis.chat import service
from jarvis.chat.state import state_of
from jarvis.core import clock
from jarvis.core.context import AppContext


def install(ctx: AppContext) -> None:
    """Register this domain's state and jobs on the app context (no I/O here)."""
    state = state_of(ctx)
    started = clock.now()

    async def recover() -> None:
        async with ctx.db.sessions() as session:
            await service.mark_interrupted(session=session, before=started)
            await session.commit()

    async def stop_answers() -> None:
        # A long-running task whose only job is to stop answers cleanly when the runtime stops.
        import asyncio

        try:
            await asyncio.Event().wait()
        finally:
            await state.close()

    ctx.runtime.task("chat-recover", recover)
    ctx.runtime.task("chat-shutdown", stop_answers)
