"""metrics: raw points, hourly roll-ups, latest values, daily values, pull-source state.

Revision ID: metrics_0001
Revises: 0001_base
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "metrics_0001"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = ("metrics",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metric_points",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("module", sa.String(63), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(63), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metric_points"),
    )
    op.create_index("ix_metric_points_series", "metric_points", ["module", "key", "at"])
    op.create_index("ix_metric_points_at", "metric_points", ["at"])
    op.create_table(
        "metric_rollups",
        sa.Column("module", sa.String(63), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("hour", UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.Column("last", sa.Float(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("module", "key", "hour", name="pk_metric_rollups"),
    )
    op.create_table(
        "metric_latest",
        sa.Column("module", sa.String(63), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(63), nullable=False),
        sa.PrimaryKeyConstraint("module", "key", name="pk_metric_latest"),
    )
    op.create_table(
        "metric_daily",
        sa.Column("module", sa.String(63), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("module", "key", "day", name="pk_metric_daily"),
    )
    op.create_index("ix_metric_daily_day", "metric_daily", ["day"])
    op.create_table(
        "metric_sources",
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("module", sa.String(63), nullable=False),
        sa.Column("health", sa.String(16), nullable=True),
        sa.Column("uptime", sa.Float(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_ok_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_metric_sources"),
    )


def downgrade() -> None:
    op.drop_table("metric_sources")
    op.drop_index("ix_metric_daily_day", table_name="metric_daily")
    op.drop_table("metric_daily")
    op.drop_table("metric_latest")
    op.drop_table("metric_rollups")
    op.drop_index("ix_metric_points_at", table_name="metric_points")
    op.drop_index("ix_metric_points_series", table_name="metric_points")
    op.drop_table("metric_points")
