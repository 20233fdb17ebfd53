"""health: paused services.

Revision ID: health_0004
Revises: health_0003
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "health_0004"
down_revision: str | Sequence[str] | None = "health_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "health_paused",
        sa.Column("service", sa.String(63), nullable=False),
        sa.Column("paused_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("service", name="pk_health_paused"),
    )


def downgrade() -> None:
    op.drop_table("health_paused")
