"""Response shapes of the costs API, for /docs (the OTLP endpoints answer OTLP messages, not these)."""

from __future__ import annotations

from pydantic import BaseModel


class Tokens(BaseModel):
    input: int
    output: int
    cache_read: int
    cache_creation: int


class CostGroup(BaseModel):
    key: str | None
    cost_usd: float
    tokens: Tokens
    requests: int


class CostTotal(BaseModel):
    cost_usd: float
    tokens: Tokens
    requests: int


class CostReport(BaseModel):
    group_by: str
    groups: list[CostGroup]
    total: CostTotal
