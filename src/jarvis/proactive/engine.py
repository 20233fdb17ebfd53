"""The engine: read the state, run the rules, reconcile findings with stored suggestions.

One `tick` = one evaluation. Ticks run on every snapshot change and hub event that matters
(`watch`) and on a timer (`proactive.refresh_interval_s`); a lock makes them sequential and
a burst of wake-ups collapses into one tick. Reconciliation keeps exactly one open suggestion
per dedupe key, resolves those whose situation cleared, expires old ones, applies the feedback
scores (suppression), then lets the timing gate release pending notifications.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.delivery import DELIVERER
from jarvis.core.extras import Key
from jarvis.core.priority import PRIORITY_RANK
from jarvis.core.sections import SECTION_READER, SECTIONS
from jarvis.proactive import scores, store, timing, usage
from jarvis.proactive.events import (
    SUGGESTION_CREATED,
    SUGGESTION_NOTIFIED,
    SUGGESTION_RESOLVED,
    SUGGESTION_UPDATED,
    SuggestionNotified,
)
from jarvis.proactive.models import Suggestion
from jarvis.proactive.rules import RULES, Finding, RuleSettings, State, configured
from jarvis.proactive.rules import agents as agent_rule
from jarvis.proactive.rules.base import Habit, duration, moment

log = structlog.get_logger("jarvis.proactive")

WATCHED_EVENTS = (
    "health.changed",
    "instance.updated",
    "blocker.opened",
    "blocker.resolved",
    "metrics.updated",
    "financial.updated",
)
HABITS_TTL_S = 300.0
# After a wake-up, gather the burst (a fleet sends tens of hook events a second) into one tick.
DEBOUNCE_S = 0.2


def follow_up(item: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The message that tells the people who got an agent alert that it no longer needs them."""
    since = moment((item.get("figures") or {}).get("since"))
    after = f" after {duration((now - since).total_seconds() / 60)}" if since is not None else ""
    text = f"Answered{after}: {item['title']}"
    return {**item, "title": f"Answered: {item['title']}"[:300], "why": text, "message": text, "followup": True}


@dataclass
class TickResult:
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    resolved: list[dict[str, Any]] = field(default_factory=list)
    released: list[dict[str, Any]] = field(default_factory=list)
    held: dict[int, str] = field(default_factory=dict)
    followups: list[dict[str, Any]] = field(default_factory=list)  # "answered" messages for sent agent alerts


def evaluate(state: State, rule_settings: dict[str, RuleSettings]) -> tuple[list[Finding], dict[str, str]]:
    """Run every enabled rule; a failing rule is reported, never fatal (and its suggestions stay)."""
    findings: list[Finding] = []
    failed: dict[str, str] = {}
    for name, spec in RULES.items():
        cfg = rule_settings[name]
        if not cfg.enabled:
            continue
        try:
            findings.extend(spec.evaluate(state, cfg))
        except Exception as exc:  # one rule's bug must not silence the others
            failed[name] = f"{type(exc).__name__}: {exc}"[:300]
            log.exception("rule_failed", rule=name)
    return findings, failed


class Engine:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.proactive
        self.rule_settings = configured(self.settings.rules)
        self.zone = ZoneInfo(self.settings.timezone)
        self.lock = asyncio.Lock()
        self.wake = asyncio.Event()
        self.running = False
        self.evaluations = 0
        self.last_evaluation: datetime | None = None
        self.last_duration_ms: float | None = None
        self.rule_errors: dict[str, str] = {}
        self.section_errors: dict[str, str] = {}
        self.held: dict[int, str] = {}
        self.habits: list[Habit] = []
        self.recent_changes: list[dict[str, Any]] = []
        self._habits_at: float | None = None
        self.due_in_s: float | None = None  # when the next agent wait becomes old enough to alert

    # --- reading ------------------------------------------------------------------------------

    async def read_state(self, session: AsyncSession) -> State:
        snapshot = self.ctx.extras[SECTION_READER]
        sections: dict[str, dict[str, Any]] = {}
        self.section_errors = {}
        for name in SECTIONS:
            try:
                sections[name] = (await snapshot.section(name)).data
            except Exception as exc:  # another domain failing: keep what we have, resolve nothing
                self.section_errors[name] = f"{type(exc).__name__}: {exc}"[:300]
                sections[name] = {}
        await self.refresh_habits(session)
        now = clock.now()
        local = now.astimezone(self.zone)
        return State(
            now=now,
            sections=sections,
            cache=self.ctx.cache.snapshot(),
            habits=self.habits,
            local_hour=local.hour,
            local_date=local.date().isoformat(),
            recent_health_changes=self.recent_changes,
            attention_after_s=self.ctx.settings.attention.notify_after_s,
        )

    async def refresh_habits(self, session: AsyncSession) -> None:
        if self._habits_at is not None and time.monotonic() - self._habits_at < HABITS_TTL_S:
            return
        learning = usage.Learning()
        actions, changes = await usage.load(session, days=max(learning.lookback_days, 30))
        self.habits = usage.learn(actions, changes, zone=self.settings.timezone, learning=learning)
        horizon = clock.now() - timedelta(hours=2)
        self.recent_changes = [{**c, "at": clock.iso(c["at"])} for c in changes if c["at"] >= horizon]
        self._habits_at = time.monotonic()

    def forget_habits(self) -> None:
        """New actions or health changes: relearn on the next tick."""
        self._habits_at = None

    # --- one evaluation -----------------------------------------------------------------------

    async def tick(self, state: State | None = None) -> TickResult:
        """One evaluation; `state` replaces the snapshot read (tests and the benchmark)."""
        async with self.lock:
            started = time.perf_counter()
            async with self.ctx.db.sessions() as session:
                if state is None:
                    state = await self.read_state(session)
                findings, self.rule_errors = evaluate(state, self.rule_settings)
                self.due_in_s = agent_rule.next_alert_in(state)
                keep = set(self.rule_errors) | (set(RULES) if self.section_errors else set())
                result = await self.reconcile(session, findings, keep_rules=keep)
                await self.release(session, result)
                await session.commit()
            self.evaluations += 1
            self.last_evaluation = clock.now()
            self.last_duration_ms = round((time.perf_counter() - started) * 1000, 2)
        await self._announce(result)
        return result

    async def reconcile(self, session: AsyncSession, findings: list[Finding], *, keep_rules: set[str]) -> TickResult:
        now = clock.now()
        result = TickResult()
        score_map = await scores.load(session)
        open_by_key: dict[str, Suggestion] = {}
        changed: list[tuple[str, Suggestion]] = []
        for row in await store.open_rows(session):
            if row.expires_at <= now or row.dedupe_key in open_by_key:
                self._close(row, "expired", now)
                changed.append(("resolved", row))
            else:
                open_by_key[row.dedupe_key] = row
        seen: set[str] = set()
        for finding in findings:
            if finding.key in seen:
                continue
            seen.add(finding.key)
            score = score_map.get((finding.rule, finding.kind), scores.PRIOR)
            muted = scores.is_muted(score, finding.priority, self.settings)
            existing = open_by_key.get(finding.key)
            if existing is None:
                row = self._new(finding, muted, now)
                session.add(row)
                changed.append(("created", row))
            elif self._apply(existing, finding, muted, now):
                changed.append(("updated", existing))
        for key, row in open_by_key.items():
            if key not in seen and row.rule not in keep_rules:
                self._close(row, "resolved", now)
                changed.append(("resolved", row))
        await session.flush()
        for what, row in changed:
            getattr(result, what).append(store.public(row, score_map.get((row.rule, row.kind), scores.PRIOR)))
        return result

    def _new(self, finding: Finding, muted: bool, now: datetime) -> Suggestion:
        hours = self.rule_settings[finding.rule].expire_hours
        return Suggestion(
            rule=finding.rule,
            kind=finding.kind,
            dedupe_key=finding.key,
            title=finding.title[:300],
            why=finding.why,
            link=finding.link[:500],
            priority=finding.priority,
            figures=finding.figures,
            status="suppressed" if muted else "active",
            notify="skipped" if muted else "pending",
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(hours=hours),
        )

    @staticmethod
    def _apply(row: Suggestion, finding: Finding, muted: bool, now: datetime) -> bool:
        """Update an open suggestion when its situation changed materially; True if it did."""
        changed = False
        if (row.kind, row.priority, row.title) != (finding.kind, finding.priority, finding.title[:300]):
            escalated = PRIORITY_RANK[finding.priority] < PRIORITY_RANK[row.priority]
            row.kind, row.priority, row.title = finding.kind, finding.priority, finding.title[:300]
            row.why, row.figures, row.link = finding.why, finding.figures, finding.link[:500]
            if escalated and row.status in ("active", "dismissed"):
                row.status, row.notify = "active", "pending"  # worse than when they last heard: tell them again
            changed = True
        if row.status == "active" and muted:
            row.status, changed = "suppressed", True
            if row.notify == "pending":
                row.notify = "skipped"
        elif row.status == "suppressed" and not muted:
            row.status, row.notify, changed = "active", "pending", True
        if changed:
            row.updated_at = now
        return changed

    @staticmethod
    def _close(row: Suggestion, status: str, now: datetime) -> None:
        row.status = status
        row.resolved_at = now
        row.updated_at = now
        if row.notify == "pending":
            row.notify = "skipped"

    async def release(self, session: AsyncSession, result: TickResult) -> None:
        """Let the timing gate decide which pending notifications go out now. Agent-attention alerts have a
        gate of their own: a per-session cooldown instead of the gap and caps (see `timing.decide_attention`)."""
        now = clock.now()
        since = now - timedelta(days=1)
        recent = (
            await session.execute(
                select(Suggestion.rule, Suggestion.figures, Suggestion.notified_at).where(
                    Suggestion.notified_at >= since
                )
            )
        ).all()
        sent = [at for rule, _, at in recent if at is not None and rule != agent_rule.NAME]
        last_by_agent: dict[str, datetime] = {}
        for rule, figures, at in recent:
            if rule == agent_rule.NAME and at is not None and isinstance(figures, dict):
                key = str(figures.get("instance"))
                last_by_agent[key] = max(at, last_by_agent.get(key, at))
        pending = (
            await session.scalars(
                select(Suggestion).where(Suggestion.status == "active", Suggestion.notify == "pending")
            )
        ).all()
        cooldown = timedelta(seconds=self.ctx.settings.attention.notify_cooldown_s)
        self.held = {}
        for row in sorted(pending, key=lambda r: (PRIORITY_RANK.get(r.priority, 9), r.created_at)):
            if row.rule == agent_rule.NAME:
                agent = str((row.figures or {}).get("instance"))
                decision = timing.decide_attention(now, row.priority, last_by_agent.get(agent), cooldown, self.settings)
            else:
                decision = timing.decide(now, row.priority, sent, self.settings)
            if not decision:
                self.held[row.id] = decision.reason or "held"
                continue
            row.notify, row.notified_at = "sent", now
            if row.rule == agent_rule.NAME:
                last_by_agent[str((row.figures or {}).get("instance"))] = now
            else:
                sent.append(now)
            result.released.append(store.public(row))
        result.held = dict(self.held)
        result.followups = [
            follow_up(item, now)
            for item in result.resolved
            if item["rule"] == agent_rule.NAME and item.get("notified_at")
        ]

    async def _announce(self, result: TickResult) -> None:
        hub = self.ctx.hub
        for item in result.created:
            hub.emit(SUGGESTION_CREATED, item)
        for item in result.updated:
            hub.emit(SUGGESTION_UPDATED, item)
        for item in result.resolved:
            hub.emit(SUGGESTION_RESOLVED, item)
        deliverer = self.ctx.extras.get(DELIVERER)
        if deliverer is not None:
            for message in result.followups:
                try:
                    await deliverer.submit(message)
                except Exception:
                    log.exception("notification_submit_failed", suggestion=message["id"])
        for item in result.released:
            channels: list[str] = []
            # A service offline: the health scheduler has told the channels itself (`health/alerts.py`); the bell
            # (the page's own notification) still rings.
            if deliverer is not None and item.get("kind") != "service_offline":
                try:
                    channels = await deliverer.submit(item)
                except Exception:  # outbound trouble never stops the engine; the bell still hears of it
                    log.exception("notification_submit_failed", suggestion=item["id"])
            hub.emit(
                SUGGESTION_NOTIFIED,
                SuggestionNotified(
                    suggestion_id=item["id"],
                    title=item["title"],
                    priority=item["priority"],
                    link=item["link"],
                    why=item["why"],
                    channels=channels,
                ),
            )

    # --- background ---------------------------------------------------------------------------

    async def run_timer(self) -> None:
        await self.tick()

    async def watch(self) -> None:
        """Wake on dashboard changes and domain events; collapse bursts into one tick."""
        self.running = True
        pumps = [asyncio.create_task(self._pump_snapshot()), asyncio.create_task(self._pump_events())]
        try:
            while True:
                try:  # a wait that turns a minute old is alerted then, not at the next timer tick
                    await asyncio.wait_for(self.wake.wait(), timeout=self.due_in_s)
                except TimeoutError:
                    pass
                await asyncio.sleep(DEBOUNCE_S)
                self.wake.clear()
                try:
                    await self.tick()
                except Exception:  # the loop survives a bad tick; the timer retries
                    log.exception("tick_failed")
        finally:
            self.running = False
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)

    async def _pump_snapshot(self) -> None:
        while True:
            subscription = self.ctx.extras[SECTION_READER].subscribe(maxsize=64)
            try:
                async for _event in subscription:
                    self.wake.set()
            finally:
                subscription.close()

    async def _pump_events(self) -> None:
        while True:
            subscription = self.ctx.hub.subscribe(WATCHED_EVENTS, maxsize=1024)
            try:
                async for event in subscription:
                    if event.type == "health.changed" and isinstance(event.data, dict):
                        await self.note_health_change(event.data)
                    self.wake.set()
            finally:
                subscription.close()

    async def note_health_change(self, data: dict[str, Any]) -> None:
        try:
            async with self.ctx.db.sessions() as session:
                await usage.record_health_change(session, data=data)
                await session.commit()
        except Exception:
            log.exception("health_change_not_recorded")
        self.forget_habits()


ENGINE = Key[Engine]("proactive")
