"""One row per month: the inputs known for that period (NULL = not given)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jarvis.core.db import Base, UTCDateTime


class FinancialSnapshot(Base):
    __tablename__ = "financial_snapshots"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    mrr: Mapped[float | None] = mapped_column(Float, nullable=True)
    customers: Mapped[int | None] = mapped_column(Integer, nullable=True)
    new_customers: Mapped[int | None] = mapped_column(Integer, nullable=True)
    churned_customers: Mapped[int | None] = mapped_column(Integer, nullable=True)
    new_mrr: Mapped[float | None] = mapped_column(Float, nullable=True)
    expansion_mrr: Mapped[float | None] = mapped_column(Float, nullable=True)
    contraction_mrr: Mapped[float | None] = mapped_column(Float, nullable=True)
    churned_mrr: Mapped[float | None] = mapped_column(Float, nullable=True)
    revenue_today: Mapped[float | None] = mapped_column(Float, nullable=True)
    revenue_this_month: Mapped[float | None] = mapped_column(Float, nullable=True)
    cash_balance: Mapped[float | None] = mapped_column(Float, nullable=True)
    monthly_operating_costs: Mapped[float | None] = mapped_column(Float, nullable=True)
    sales_marketing_spend: Mapped[float | None] = mapped_column(Float, nullable=True)
    gross_margin: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
