"""Suggestions, feedback, per-rule scores, user actions and observed health changes.

Everything the engine knows lives here, so a restart loses nothing: open suggestions keep
their dedupe keys, held notifications stay pending, scores and habits are recomputed from rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jarvis.core.db import Base, UTCDateTime

# Suggestion.status: `active` (shown), `suppressed` (muted by a low score; still holds its key),
# `dismissed` (closed by feedback; still holds its key until the situation clears), `resolved`, `expired`.
OPEN_STATUSES = ("active", "suppressed", "dismissed")
# Suggestion.notify: `pending` (waiting for the timing gate), `sent`, `skipped` (closed before it was due).


class Suggestion(Base):
    __tablename__ = "proactive_suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300))
    why: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    priority: Mapped[str] = mapped_column(String(16))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    feedback: Mapped[str | None] = mapped_column(String(16), nullable=True)
    notify: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_proactive_suggestions_status", "status"),
        Index("ix_proactive_suggestions_dedupe_key", "dedupe_key"),
        Index("ix_proactive_suggestions_notified_at", "notified_at"),
    )


class Feedback(Base):
    __tablename__ = "proactive_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    suggestion_id: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_proactive_feedback_rule", "rule", "at"),)


class RuleScore(Base):
    """Beta(alpha, beta) posterior of "this rule's suggestions of this kind are useful"."""

    __tablename__ = "proactive_rule_scores"

    rule: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    alpha: Mapped[float] = mapped_column(Float, default=1.0)
    beta: Mapped[float] = mapped_column(Float, default=1.0)
    count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UserAction(Base):
    __tablename__ = "proactive_user_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_type: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    session_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_proactive_user_actions_at", "at"),)


class HealthChange(Base):
    """A `health.changed` event as the engine saw it: the other half of the usage habits."""

    __tablename__ = "proactive_health_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_proactive_health_changes_at", "at"),)
