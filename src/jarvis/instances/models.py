"""Agent instances and their timelines.

A row holds what the push sources (heartbeats, events, Claude Code hooks) last said about
an instance; tracker-file instances live in memory and are merged at read time, so a
tracker instance only gets a row once something is pushed for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jarvis.core.db import Base, UTCDateTime


class Instance(Base):
    __tablename__ = "instances"
    __table_args__ = (Index("ix_instances_archived_at", "archived_at"),)

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))  # tracker | heartbeat | claude-code
    role: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # the reported state; `stale` is computed on read
    current_task: Mapped[str | None] = mapped_column(String(500))
    current_tool: Mapped[str | None] = mapped_column(String(200))
    last_prompt: Mapped[str | None] = mapped_column(String(400))
    branch: Mapped[str | None] = mapped_column(String(255))
    repo: Mapped[str | None] = mapped_column(String(500))
    cwd: Mapped[str | None] = mapped_column(String(1000))
    host: Mapped[str | None] = mapped_column(String(255))
    session_id: Mapped[str | None] = mapped_column(String(200))
    last_commit: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Since when `status` holds, and what it is about (waiting kind, tool and input summary, error, end reason).
    status_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    model: Mapped[str | None] = mapped_column(String(200))
    start_source: Mapped[str | None] = mapped_column(String(50))
    last_event: Mapped[str | None] = mapped_column(String(100))
    subagents: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # agent_id → {type, status, since}
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InstanceEvent(Base):
    """One entry of an instance's timeline (prompt, tool, stop, notification, commit …)."""

    __tablename__ = "instance_events"
    __table_args__ = (Index("ix_instance_events_instance_id_id", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
