"""financial: monthly snapshots of the inputs.

Revision ID: financial_0001
Revises: 0001_base
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from jarvis.core.db import UTCDateTime

revision: str = "financial_0001"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = ("financial",)
depends_on: str | Sequence[str] | None = None

INTEGERS = ("customers", "new_customers", "churned_customers")
FLOATS = (
    "mrr",
    "new_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "revenue_today",
    "revenue_this_month",
    "cash_balance",
    "monthly_operating_costs",
    "sales_marketing_spend",
    "gross_margin",
)


def upgrade() -> None:
    op.create_table(
        "financial_snapshots",
        sa.Column("period", sa.String(7), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in INTEGERS),
        *(sa.Column(name, sa.Float(), nullable=True) for name in FLOATS),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("period", name="pk_financial_snapshots"),
    )


def downgrade() -> None:
    op.drop_table("financial_snapshots")
