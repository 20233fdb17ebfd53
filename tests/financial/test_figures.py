"""Financial figures against hand-computed values; missing inputs and division by zero give null."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.financial.formulas import compute
from jarvis.settings import Settings
from tests.conftest import make_settings

STANDING = {"cash_balance": 225000, "monthly_operating_costs": 12500, "gross_margin": 0.8}
NOVEMBER = {
    "period": "2026-11",
    "mrr": 10000,
    "customers": 100,
    "new_customers": 10,
    "churned_customers": 5,
    "sales_marketing_spend": 3000,
    "revenue_this_month": 9000,
    "revenue_today": 300,
    "new_mrr": 1000,
    "expansion_mrr": 500,
    "contraction_mrr": 200,
    "churned_mrr": 400,
}
OCTOBER = {"period": "2026-10", "mrr": 8000, "customers": 90}


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, database_url=db_url, financial=STANDING)


async def section(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/dashboard/financial")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_figures_match_hand_computed_values(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: FrozenClock
) -> None:
    events = ctx.hub.subscribe(["financial.updated"])
    assert (await client.post("/api/financial/snapshots", json=OCTOBER)).status_code == 201
    assert (await client.post("/api/financial/snapshots", json=NOVEMBER)).status_code == 201
    event = events.queue.get_nowait()
    assert event is not None and event.data == {"periods": ["2026-10"], "source": "api"}

    data = await section(client)
    assert data["period"] == "2026-11" and data["previous_period"] == "2026-10"
    # By hand:
    #   ARR   = 12 × 10 000                               = 120 000
    #   ARPA  = 10 000 / 100                              = 100
    #   churn = 5 / (100 − 10 + 5) = 5 / 95               = 0.0526315…
    #   LTV   = 100 × 0.8 / (5 / 95) = 80 × 19            = 1 520
    #   CAC   = 3 000 / 10                                = 300
    #   net new MRR = 1 000 + 500 − 200 − 400             = 900
    #   net burn = 12 500 − 9 000                         = 3 500
    #   runway = 225 000 / 3 500                          = 64.2857… months
    assert data["mrr"] == 10000
    assert data["arr"] == 120000
    assert data["customers"] == 100
    assert data["revenue_today"] == 300 and data["revenue_this_month"] == 9000
    assert data["cac"] == 300
    assert data["ltv"] == pytest.approx(1520)
    assert data["burn_rate"] == 3500
    assert data["runway_months"] == pytest.approx(225000 / 3500)
    figures = data["figures"]
    assert figures["arpa"]["value"] == 100
    assert figures["churn_rate"]["value"] == pytest.approx(5 / 95)
    assert figures["ltv_cac_ratio"]["value"] == pytest.approx(1520 / 300)
    assert figures["net_new_mrr"]["value"] == 900
    assert figures["net_burn"]["value"] == 3500 and figures["gross_burn"]["value"] == 12500
    assert figures["gross_margin"]["value"] == 0.8
    # Every figure is complete but the AI spend ones, which need Claude Code telemetry (tests/costs/test_ai_spend.py).
    assert all(not figure["missing"] for name, figure in figures.items() if not name.startswith("ai_spend"))
    assert figures["ltv"]["formula"] == "arpa × gross_margin / churn_rate"

    # Month over month against October (mrr 8 000, 90 customers, costs from settings, no revenue: MRR used):
    #   ARR 96 000 → 120 000: +25 %;  ARPA 88.89 → 100: +12.5 %;  net burn 12 500 − 8 000 = 4 500 → 3 500: −22.22 %
    assert figures["arr"]["previous"] == 96000 and figures["arr"]["trend_pct"] == 25.0
    assert figures["arpa"]["previous"] == pytest.approx(8000 / 90) and figures["arpa"]["trend_pct"] == 12.5
    assert figures["net_burn"]["previous"] == 4500 and figures["net_burn"]["trend_pct"] == -22.22
    assert figures["cac"]["previous"] is None and figures["cac"]["trend_pct"] is None

    assert data["calculation_source"] == "snapshot 2026-11 (api) + [financial] settings"
    assert data["last_updated"] == "2026-11-25T12:00:00Z"
    assert data["inputs"]["mrr"] == {"value": 10000, "source": "snapshot"}
    assert data["inputs"]["cash_balance"] == {"value": 225000, "source": "settings"}


async def test_snapshot_overrides_settings_for_its_period(client: httpx.AsyncClient, frozen_clock: FrozenClock) -> None:
    assert (await section(client))["burn_rate"] is None  # cached now; the write below invalidates it
    body = {"period": "2026-11", "mrr": 10000, "monthly_operating_costs": 20000, "cash_balance": 50000}
    await client.post("/api/financial/snapshots", json=body)
    data = await section(client)
    # net burn = 20 000 − 10 000 (MRR: no revenue given) = 10 000; runway = 50 000 / 10 000 = 5
    assert data["burn_rate"] == 10000 and data["runway_months"] == 5
    assert data["inputs"]["monthly_operating_costs"]["source"] == "snapshot"


async def test_with_no_inputs_every_figure_is_null_and_names_what_is_missing(
    tmp_path: Path, db_url: str, frozen_clock: FrozenClock
) -> None:
    from jarvis.app import create_app

    app = create_app(make_settings(tmp_path, database_url=db_url), run_jobs=False, migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            data = await section(client)
    for key in ("mrr", "arr", "customers", "revenue_today", "revenue_this_month", "cac", "ltv", "burn_rate"):
        assert data[key] is None, key
    assert data["runway_months"] is None
    assert data["calculation_source"] is None and data["last_updated"] is None
    assert data["period"] == "2026-11"
    figures = data["figures"]
    assert figures["arr"]["missing"] == ["mrr"]
    assert figures["arpa"]["missing"] == ["customers", "mrr"]
    assert figures["churn_rate"]["missing"] == ["customers", "new_customers", "churned_customers"]
    assert figures["ltv"]["missing"] == ["churned_customers", "customers", "gross_margin", "mrr", "new_customers"]
    assert figures["cac"]["missing"] == ["new_customers", "sales_marketing_spend"]
    assert figures["net_burn"]["missing"] == ["monthly_operating_costs", "revenue_this_month", "mrr"]
    assert figures["runway_months"]["missing"] == [
        "cash_balance",
        "monthly_operating_costs",
        "mrr",
        "revenue_this_month",
    ]
    assert "infinite" not in figures["runway_months"]


def figure(inputs: dict[str, float | None], name: str) -> dict[str, Any]:
    return compute(inputs)[name].as_dict(None)


def test_division_by_zero_is_null_naming_the_zero_input() -> None:
    arpa = figure({"mrr": 500.0, "customers": 0.0}, "arpa")
    assert arpa["value"] is None and arpa["missing"] == ["customers"] and arpa["reason"] == "customers is 0"
    cac = figure({"sales_marketing_spend": 100.0, "new_customers": 0.0}, "cac")
    assert cac["value"] is None and cac["missing"] == ["new_customers"]
    start_zero = figure({"customers": 0.0, "new_customers": 0.0, "churned_customers": 0.0}, "churn_rate")
    assert start_zero["value"] is None and start_zero["reason"] == "no customers at the start of the period"
    no_churn = {"mrr": 1000.0, "customers": 10.0, "new_customers": 1.0, "churned_customers": 0.0, "gross_margin": 0.5}
    assert figure(no_churn, "churn_rate")["value"] == 0
    ltv = figure(no_churn, "ltv")
    assert ltv["value"] is None and ltv["missing"] == ["churned_customers"]
    assert ltv["reason"] == "churn rate is 0: lifetime is unbounded"


def test_runway_is_infinite_when_not_burning_and_zero_when_out_of_cash() -> None:
    profitable = compute({"monthly_operating_costs": 5000.0, "revenue_this_month": 8000.0, "cash_balance": 1.0})
    runway = profitable["runway_months"].as_dict(None)
    assert runway["value"] is None and runway["infinite"] is True and runway["missing"] == []
    assert profitable["net_burn"].value == -3000
    broke = compute({"monthly_operating_costs": 5000.0, "mrr": 1000.0, "cash_balance": -10.0})
    assert broke["runway_months"].value == 0


def test_trend_is_null_against_a_zero_or_missing_previous() -> None:
    now = compute({"mrr": 100.0})
    assert now["mrr"].as_dict(compute({"mrr": 0.0})["mrr"])["trend_pct"] is None
    assert now["mrr"].as_dict(compute({})["mrr"])["trend_pct"] is None
    assert now["mrr"].as_dict(compute({"mrr": 80.0})["mrr"])["trend_pct"] == 25.0
