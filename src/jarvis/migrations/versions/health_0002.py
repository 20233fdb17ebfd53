"""health: push monitors' secret ping URLs (stored as SHA-256).

Revision ID: health_0002
Revises: health_0001
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "health_0002"
down_revision: str | Sequence[str] | None = "health_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("health_services") as batch:
        batch.add_column(sa.Column("push_token_sha256", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_health_services_push_token_sha256", ["push_token_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("health_services") as batch:
        batch.drop_constraint("uq_health_services_push_token_sha256", type_="unique")
        batch.drop_column("push_token_sha256")
