"""`POST /api/financial/snapshots`: a period and any subset of the inputs.

Numbers are strict (a JSON string is not a number) and finite; a field left out stays as
it was, a field sent as `null` is cleared.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from jarvis.financial.fields import PERIOD_PATTERN

Count = Annotated[int | None, Field(None, strict=True, ge=0, le=1_000_000_000)]
Money = Annotated[float | None, Field(None, strict=True, ge=0, le=1e13, allow_inf_nan=False)]
Signed = Annotated[float | None, Field(None, strict=True, ge=-1e13, le=1e13, allow_inf_nan=False)]
Ratio = Annotated[float | None, Field(None, strict=True, ge=0, le=1, allow_inf_nan=False)]


class SnapshotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(max_length=7, pattern=PERIOD_PATTERN, description="YYYY-MM")
    mrr: Money = None
    customers: Count = None
    new_customers: Count = None
    churned_customers: Count = None
    new_mrr: Money = None
    expansion_mrr: Money = None
    contraction_mrr: Money = None
    churned_mrr: Money = None
    revenue_today: Money = None
    revenue_this_month: Money = None
    cash_balance: Signed = None
    monthly_operating_costs: Money = None
    sales_marketing_spend: Money = None
    gross_margin: Ratio = Field(None, description="a fraction: 0.8 for 80 %")


# Response models, for /docs (extra keys allowed: these name what a client can rely on).


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class SnapshotPublic(_Open):
    period: str
    source: str
    created_at: str | None
    updated_at: str | None


class SnapshotList(BaseModel):
    snapshots: list[SnapshotPublic]
