"""costs: Claude Code telemetry (metric points, cumulative series, api requests, light events, per-session totals).

Revision ID: costs_0001
Revises: 0001_base
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "costs_0001"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = ("costs",)
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cost_metric_points",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(200), nullable=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(100), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cost_metric_points"),
        sa.UniqueConstraint("key", name="uq_cost_metric_points_key"),
    )
    op.create_index("ix_cost_metric_points_session", "cost_metric_points", ["session_id"])
    op.create_index("ix_cost_metric_points_day", "cost_metric_points", ["day"])
    op.create_table(
        "cost_series",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("start_nano", sa.BigInteger(), nullable=False),
        sa.Column("time_nano", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_cost_series"),
    )
    op.create_table(
        "cost_requests",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(200), nullable=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("request_id", sa.String(200), nullable=True),
        sa.Column("prompt_id", sa.String(200), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_read_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_creation_tokens", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cost_requests"),
        sa.UniqueConstraint("key", name="uq_cost_requests_key"),
    )
    op.create_index("ix_cost_requests_session", "cost_requests", ["session_id"])
    op.create_index("ix_cost_requests_day", "cost_requests", ["day"])
    op.create_table(
        "cost_events",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(200), nullable=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cost_events"),
        sa.UniqueConstraint("key", name="uq_cost_events_key"),
    )
    op.create_index("ix_cost_events_session", "cost_events", ["session_id"])
    op.create_table(
        "cost_sessions",
        sa.Column("session_id", sa.String(200), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("m_cost_points", sa.Integer(), nullable=False),
        sa.Column("m_token_points", sa.Integer(), nullable=False),
        sa.Column("m_cost", sa.Float(), nullable=False),
        sa.Column("m_input", sa.Float(), nullable=False),
        sa.Column("m_output", sa.Float(), nullable=False),
        sa.Column("m_cache_read", sa.Float(), nullable=False),
        sa.Column("m_cache_creation", sa.Float(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("r_cost", sa.Float(), nullable=False),
        sa.Column("r_input", sa.BigInteger(), nullable=False),
        sa.Column("r_output", sa.BigInteger(), nullable=False),
        sa.Column("r_cache_read", sa.BigInteger(), nullable=False),
        sa.Column("r_cache_creation", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name="pk_cost_sessions"),
    )


def downgrade() -> None:
    op.drop_table("cost_sessions")
    op.drop_index("ix_cost_events_session", table_name="cost_events")
    op.drop_table("cost_events")
    op.drop_index("ix_cost_requests_day", table_name="cost_requests")
    op.drop_index("ix_cost_requests_session", table_name="cost_requests")
    op.drop_table("cost_requests")
    op.drop_table("cost_series")
    op.drop_index("ix_cost_metric_points_day", table_name="cost_metric_points")
    op.drop_index("ix_cost_metric_points_session", table_name="cost_metric_points")
    op.drop_table("cost_metric_points")
