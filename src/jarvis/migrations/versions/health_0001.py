"""health: API-defined services, raw check results, hourly roll-ups, current state.

Revision ID: health_0001
Revises: 0001_base
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "health_0001"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = ("health",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "health_services",
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_health_services"),
    )
    op.create_table(
        "health_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service", sa.String(63), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_health_results"),
    )
    op.create_index("ix_health_results_service_at", "health_results", ["service", "at"])
    op.create_index("ix_health_results_at", "health_results", ["at"])
    op.create_table(
        "health_rollups",
        sa.Column("service", sa.String(63), nullable=False),
        sa.Column("hour", UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("ok_count", sa.Integer(), nullable=False),
        sa.Column("degraded_count", sa.Integer(), nullable=False),
        sa.Column("latency_avg_ms", sa.Float(), nullable=True),
        sa.Column("latency_p50_ms", sa.Float(), nullable=True),
        sa.Column("latency_p95_ms", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("service", "hour", name="pk_health_rollups"),
    )
    op.create_index("ix_health_rollups_hour", "health_rollups", ["hour"])
    op.create_table(
        "health_state",
        sa.Column("service", sa.String(63), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_checked", UTCDateTime(), nullable=False),
        sa.Column("last_change", UTCDateTime(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("service", name="pk_health_state"),
    )


def downgrade() -> None:
    op.drop_table("health_state")
    op.drop_index("ix_health_rollups_hour", table_name="health_rollups")
    op.drop_table("health_rollups")
    op.drop_index("ix_health_results_at", table_name="health_results")
    op.drop_index("ix_health_results_service_at", table_name="health_results")
    op.drop_table("health_results")
    op.drop_table("health_services")
