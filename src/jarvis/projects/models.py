"""Projects (waves are projects whose id starts with `wave-`), their tasks, and blockers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from jarvis.core.db import Base, UTCDateTime


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Used only when the project has no tasks; with tasks, status and completion are derived.
    status: Mapped[str] = mapped_column(String(20))
    completion_percent: Mapped[float | None] = mapped_column(Float)
    estimated_hours: Mapped[float | None] = mapped_column(Float)
    actual_hours: Mapped[float | None] = mapped_column(Float)
    remaining_hours: Mapped[float | None] = mapped_column(Float)
    assigned_to: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Task(Base):
    __tablename__ = "project_tasks"

    project_id: Mapped[str] = mapped_column(
        String(100), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    estimated_hours: Mapped[float | None] = mapped_column(Float)
    actual_hours: Mapped[float | None] = mapped_column(Float)
    assigned_to: Mapped[list[Any]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Blocker(Base):
    __tablename__ = "blockers"
    __table_args__ = (Index("ix_blockers_resolved_at", "resolved_at"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    instance: Mapped[str | None] = mapped_column(String(160))
    project: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(2000))
    severity: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(2000))
