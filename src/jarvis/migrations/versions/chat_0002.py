"""Chat: conversation ids chosen by the client, up to 128 characters (the seed's frontend sends `web-<ms>-<rand>`).

SQLite does not enforce a VARCHAR length, and rebuilding the tables there (batch mode) would copy
every message for nothing, so the columns are only widened where the length is enforced.

Revision ID: chat_0002
Revises: chat_0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "chat_0002"
down_revision: str | Sequence[str] | None = "chat_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("chat_conversations", "id"), ("chat_messages", "conversation_id"))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.String(128), existing_type=sa.String(36), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.String(36), existing_type=sa.String(128), existing_nullable=False)
