"""The root every domain's branch grows from.

Each domain keeps its tables on its own Alembic branch (branch label = domain name,
`down_revision = "0001_base"`), and start-up upgrades to `heads`.

Revision ID: 0001_base
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

revision: str = "0001_base"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
