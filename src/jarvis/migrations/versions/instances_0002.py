"""instances: what a session's state is about (attention), its model and start source, subagents, archiving.

Revision ID: instances_0002
Revises: instances_0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "instances_0002"
down_revision: str | Sequence[str] | None = "instances_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("status_since", UTCDateTime()),
    ("status_detail", sa.JSON()),
    ("model", sa.String(200)),
    ("start_source", sa.String(50)),
    ("last_event", sa.String(100)),
    ("subagents", sa.JSON()),
    ("archived_at", UTCDateTime()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("instances", sa.Column(name, type_, nullable=True))
    op.create_index("ix_instances_archived_at", "instances", ["archived_at"])


def downgrade() -> None:
    op.drop_index("ix_instances_archived_at", table_name="instances")
    with op.batch_alter_table("instances") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
