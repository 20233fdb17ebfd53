"""Proactive engine: suggestions, feedback, rule scores, user actions, observed health changes.

Revision ID: proactive_0001
Revises: 0001_base
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "proactive_0001"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = ("proactive",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proactive_suggestions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("feedback", sa.String(16), nullable=True),
        sa.Column("notify", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_proactive_suggestions"),
    )
    op.create_index("ix_proactive_suggestions_status", "proactive_suggestions", ["status"])
    op.create_index("ix_proactive_suggestions_dedupe_key", "proactive_suggestions", ["dedupe_key"])
    op.create_index("ix_proactive_suggestions_notified_at", "proactive_suggestions", ["notified_at"])
    op.create_table(
        "proactive_feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_proactive_feedback"),
    )
    op.create_index("ix_proactive_feedback_rule", "proactive_feedback", ["rule", "at"])
    op.create_table(
        "proactive_rule_scores",
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("beta", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("reset_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("rule", "kind", name="pk_proactive_rule_scores"),
    )
    op.create_table(
        "proactive_user_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("action_type", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("session_id", sa.String(100), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_proactive_user_actions"),
    )
    op.create_index("ix_proactive_user_actions_at", "proactive_user_actions", ["at"])
    op.create_table(
        "proactive_health_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("service", sa.String(100), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_proactive_health_changes"),
    )
    op.create_index("ix_proactive_health_changes_at", "proactive_health_changes", ["at"])


def downgrade() -> None:
    for table in (
        "proactive_health_changes",
        "proactive_user_actions",
        "proactive_rule_scores",
        "proactive_feedback",
        "proactive_suggestions",
    ):
        op.drop_table(table)
