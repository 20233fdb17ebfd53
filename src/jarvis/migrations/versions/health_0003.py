"""health: maintenance windows, one-off or recurring.

Revision ID: health_0003
Revises: health_0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "health_0003"
down_revision: str | Sequence[str] | None = "health_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "health_maintenance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("cron", sa.String(100), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_health_maintenance"),
    )


def downgrade() -> None:
    op.drop_table("health_maintenance")
