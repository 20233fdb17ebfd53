"""Install the accounts resolver in front of every request, and sweep expired sessions daily."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from jarvis.accounts.models import LoginFailure, LoginSession
from jarvis.accounts.resolver import ACCOUNTS, AccountsResolver
from jarvis.core import clock
from jarvis.core.auth import RESOLVER
from jarvis.core.context import AppContext

SWEEP_JOB = "accounts-sweep"


def install(ctx: AppContext) -> None:
    resolver = AccountsResolver(ctx)
    ctx.extras[ACCOUNTS] = resolver
    ctx.extras[RESOLVER] = resolver

    async def sweep() -> None:
        """Forget sessions that ended a day ago and login failures older than a day."""
        cutoff = clock.now() - timedelta(days=1)
        async with ctx.db.sessions() as session:
            await session.execute(
                delete(LoginSession).where(or_(LoginSession.expires_at < cutoff, LoginSession.revoked_at < cutoff))
            )
            await session.execute(delete(LoginFailure).where(LoginFailure.last_at < cutoff))
            await session.commit()

    ctx.runtime.every(SWEEP_JOB, 3600.0, sweep)
    ctx.runtime.on_stop(resolver.close)
