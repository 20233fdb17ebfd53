"""The snapshots API: upsert per period merging fields, and every bad input refused by name."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.financial.models import FinancialSnapshot


async def count_rows(ctx: AppContext) -> int:
    async with ctx.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(FinancialSnapshot)) or 0)


async def test_upsert_merges_fields_and_null_clears_one(client: httpx.AsyncClient, frozen_clock: FrozenClock) -> None:
    first = await client.post("/api/financial/snapshots", json={"period": "2026-11", "mrr": 100})
    assert first.status_code == 201
    assert first.json()["data"]["mrr"] == 100 and first.json()["data"]["customers"] is None
    frozen_clock.advance(60)
    second = await client.post("/api/financial/snapshots", json={"period": "2026-11", "customers": 4})
    assert second.status_code == 200
    data = second.json()["data"]
    assert data["mrr"] == 100 and data["customers"] == 4  # what was not sent stayed
    assert data["created_at"] == "2026-11-25T12:00:00Z" and data["updated_at"] == "2026-11-25T12:01:00Z"
    third = await client.post("/api/financial/snapshots", json={"period": "2026-11", "mrr": None})
    assert third.json()["data"]["mrr"] is None and third.json()["data"]["customers"] == 4

    await client.post("/api/financial/snapshots", json={"period": "2026-09", "gross_margin": 0.7})
    listing = (await client.get("/api/financial/snapshots")).json()["data"]["snapshots"]
    assert [s["period"] for s in listing] == ["2026-11", "2026-09"]
    assert listing[1]["gross_margin"] == 0.7 and listing[1]["source"] == "api"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mrr": 1}, "period"),
        ({"period": "2026-13", "mrr": 1}, "period"),
        ({"period": "26-11", "mrr": 1}, "period"),
        ({"period": "2026-12", "mrr": 1}, "period"),  # the future (now is 2026-11)
        ({"period": "1969-12", "mrr": 1}, "period"),
        ({"period": "2026-11"}, "body"),
        ({"period": "2026-11", "mrr": "100"}, "mrr"),
        ({"period": "2026-11", "mrr": -1}, "mrr"),
        ({"period": "2026-11", "customers": 1.5}, "customers"),
        ({"period": "2026-11", "customers": -2}, "customers"),
        ({"period": "2026-11", "gross_margin": 80}, "gross_margin"),
        ({"period": "2026-11", "cash_balance": True}, "cash_balance"),
        ({"period": "2026-11", "arr": 5}, "arr"),
    ],
)
async def test_bad_snapshot_is_400_naming_the_field_and_stores_nothing(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock, body: dict[str, Any], field: str
) -> None:
    await client.post("/api/financial/snapshots", json={"period": "2026-10", "mrr": 5})
    before = await count_rows(ctx)
    response = await client.post("/api/financial/snapshots", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["field"] == field
    assert await count_rows(ctx) == before
    listing = (await client.get("/api/financial/snapshots")).json()["data"]["snapshots"]
    assert listing[0]["mrr"] == 5


async def test_bad_limit_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/financial/snapshots?limit=0")
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "limit"
