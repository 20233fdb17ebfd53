"""AI spend as business cost: the financial section counts this month's measured spend into burn and runway."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.settings import Settings
from tests.conftest import make_settings
from tests.costs.otlp import PROTOBUF, cost, metrics

STANDING = {"mrr": 10000, "revenue_this_month": 9000, "monthly_operating_costs": 12500, "cash_balance": 210000}


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, database_url=db_url, financial=STANDING)


async def financial(client: httpx.AsyncClient) -> dict[str, Any]:
    data: dict[str, Any] = (await client.get("/api/dashboard/financial")).json()["data"]
    return data


async def test_burn_and_runway_include_the_agents_spend(client: httpx.AsyncClient) -> None:
    before = await financial(client)
    assert before["ai_spend_this_month"] is None and before["ai_spend_pct_of_mrr"] is None
    assert before["figures"]["ai_spend_this_month"]["reason"] == "no Claude Code telemetry this month"
    assert before["figures"]["net_burn"]["value"] == 3500  # 12,500 − 9,000: no AI spend known
    body = metrics(("claude_code.cost.usage", [cost("s1", 300.0), cost("s2", 200.0)])).SerializeToString()
    assert (await client.post("/v1/metrics", content=body, headers=PROTOBUF)).status_code == 200
    after = await financial(client)
    assert after["ai_spend_this_month"] == 500.0 and after["ai_spend_pct_of_mrr"] == 5.0
    burn = after["figures"]["net_burn"]
    assert burn["value"] == 4000  # 12,500 + 500 − 9,000
    assert burn["formula"].startswith("monthly_operating_costs + ai_spend_this_month − revenue_this_month")
    assert after["figures"]["gross_burn"]["value"] == 13000
    assert after["runway_months"] == 52.5  # 210,000 / 4,000
