"""The financial inputs: one list shared by the API schema, the table, settings and CSV import."""

from __future__ import annotations

# Whole numbers of customers.
COUNT_FIELDS = ("customers", "new_customers", "churned_customers")
# Money per month (or per day for revenue_today); never negative.
MONEY_FIELDS = (
    "mrr",
    "new_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "revenue_today",
    "revenue_this_month",
    "monthly_operating_costs",
    "sales_marketing_spend",
)
# May be negative (an overdrawn account).
SIGNED_FIELDS = ("cash_balance",)
# A fraction between 0 and 1.
RATIO_FIELDS = ("gross_margin",)

INPUT_FIELDS: tuple[str, ...] = (
    "mrr",
    "customers",
    "new_customers",
    "churned_customers",
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
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
