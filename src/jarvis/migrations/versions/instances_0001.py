"""instances: agent instances and their event timelines.

Revision ID: instances_0001
Revises: 0001_base
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "instances_0001"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = ("instances",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instances",
        sa.Column("id", sa.String(160), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("role", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_task", sa.String(500), nullable=True),
        sa.Column("current_tool", sa.String(200), nullable=True),
        sa.Column("last_prompt", sa.String(400), nullable=True),
        sa.Column("branch", sa.String(255), nullable=True),
        sa.Column("repo", sa.String(500), nullable=True),
        sa.Column("cwd", sa.String(1000), nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("session_id", sa.String(200), nullable=True),
        sa.Column("last_commit", sa.JSON(), nullable=True),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instances"),
    )
    op.create_table(
        "instance_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("message", sa.String(2000), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instance_events"),
    )
    op.create_index("ix_instance_events_instance_id_id", "instance_events", ["instance_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_instance_events_instance_id_id", table_name="instance_events")
    op.drop_table("instance_events")
    op.drop_table("instances")
