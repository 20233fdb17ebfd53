"""projects: projects (and waves), tasks, blockers.

Revision ID: projects_0001
Revises: 0001_base
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "projects_0001"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = ("projects",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("completion_percent", sa.Float(), nullable=True),
        sa.Column("estimated_hours", sa.Float(), nullable=True),
        sa.Column("actual_hours", sa.Float(), nullable=True),
        sa.Column("remaining_hours", sa.Float(), nullable=True),
        sa.Column("assigned_to", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
    )
    op.create_table(
        "project_tasks",
        sa.Column("project_id", sa.String(100), nullable=False),
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("estimated_hours", sa.Float(), nullable=True),
        sa.Column("actual_hours", sa.Float(), nullable=True),
        sa.Column("assigned_to", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_project_tasks_project_id_projects", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "id", name="pk_project_tasks"),
    )
    op.create_table(
        "blockers",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("instance", sa.String(160), nullable=True),
        sa.Column("project", sa.String(100), nullable=True),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolution", sa.String(2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_blockers"),
    )
    op.create_index("ix_blockers_resolved_at", "blockers", ["resolved_at"])


def downgrade() -> None:
    op.drop_index("ix_blockers_resolved_at", table_name="blockers")
    op.drop_table("blockers")
    op.drop_table("project_tasks")
    op.drop_table("projects")
