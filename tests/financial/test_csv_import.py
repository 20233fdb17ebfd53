"""`jarvis import financial FILE.csv`: good files import, a bad row imports nothing and says where."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from jarvis.cli import main as cli
from jarvis.core.clock import FrozenClock
from jarvis.core.db import Database
from jarvis.financial.csv_import import run_import
from jarvis.financial.models import FinancialSnapshot
from jarvis.financial.service import upsert_snapshot
from jarvis.settings import Settings

GOOD = """period,mrr,customers,new_customers,churned_customers,gross_margin,cash_balance
2026-09,8000,90,8,3,0.8,250000
2026-10,"9,000",95,,,,
2026-11,10000,100,10,5,0.8,225000
"""


def rows(settings: Settings) -> dict[str, dict[str, object]]:
    async def read() -> dict[str, dict[str, object]]:
        database = Database(settings.effective_database_url)
        try:
            async with database.sessions() as session:
                found = (await session.scalars(select(FinancialSnapshot))).all()
                return {
                    r.period: {"mrr": r.mrr, "customers": r.customers, "gross_margin": r.gross_margin, "src": r.source}
                    for r in found
                }
        finally:
            await database.dispose()

    return asyncio.run(read())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "finance.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_imports_every_row(settings: Settings, tmp_path: Path, frozen_clock: FrozenClock) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_import(settings, write(tmp_path, GOOD), out=out, err=err) == 0, err.getvalue()
    assert out.getvalue().count("\n") == 1
    assert "imported 3 snapshot(s) (2026-09 to 2026-11)" in out.getvalue() and "3 new" in out.getvalue()
    found = rows(settings)
    assert found["2026-10"] == {"mrr": 9000.0, "customers": 95, "gross_margin": None, "src": "csv"}
    assert found["2026-11"]["customers"] == 100


def test_import_merges_into_existing_periods(settings: Settings, tmp_path: Path, frozen_clock: FrozenClock) -> None:
    async def seed() -> None:
        database = Database(settings.effective_database_url)
        async with database.sessions() as session:
            await upsert_snapshot(session, period="2026-10", values={"gross_margin": 0.6}, source="api")
            await session.commit()
        await database.dispose()

    asyncio.run(seed())
    out = io.StringIO()
    assert run_import(settings, write(tmp_path, GOOD), out=out, err=io.StringIO()) == 0
    assert "2 new, 1 merged" in out.getvalue()
    assert rows(settings)["2026-10"] == {"mrr": 9000.0, "customers": 95, "gross_margin": 0.6, "src": "csv"}


BAD = """period,mrr,customers,gross_margin
2026-09,8000,90,0.8
2026-10,lots,95,
2026-13,9000,9.5,
2026-11,10000,100,80
2026-09,1,1,
2026-12,1,1,
2026-08,1,1
"""


def test_a_bad_file_imports_nothing_and_names_line_and_column(
    settings: Settings, tmp_path: Path, frozen_clock: FrozenClock
) -> None:
    err = io.StringIO()
    assert run_import(settings, write(tmp_path, BAD), out=io.StringIO(), err=err) == 1
    lines = [line.split(": ", 1)[1] for line in err.getvalue().splitlines()[:-1]]
    assert lines == [
        "line 3, column mrr: must be a number (got 'lots')",
        "line 4, column customers: must be a whole number (got '9.5')",
        "line 4, column period: must be a month written YYYY-MM",
        "line 5, column gross_margin: Input should be less than or equal to 1",
        "line 6, column period: 2026-09 repeats line 2",
        "line 7, column period: 2026-12 is in the future",
        "line 8: 3 cells, the header has 4",
    ]
    assert err.getvalue().splitlines()[-1].startswith("jarvis: nothing imported: 7 problem(s)")
    assert rows(settings) == {}  # not even the good rows


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("period,mrr,arr\n2026-10,1,2\n", "line 1, column arr: not a snapshot field"),
        ("mrr\n5\n", "line 1: no `period` column"),
        ("period,mrr,mrr\n2026-10,1,2\n", "line 1, column mrr: appears more than once"),
        ("period,mrr\n", "line 2: no data rows"),
    ],
)
def test_bad_headers_and_empty_files(
    settings: Settings, tmp_path: Path, frozen_clock: FrozenClock, text: str, message: str
) -> None:
    err = io.StringIO()
    assert run_import(settings, write(tmp_path, text), out=io.StringIO(), err=err) == 1
    assert message in err.getvalue()
    assert rows(settings) == {}


def test_a_missing_file_is_exit_2(settings: Settings, tmp_path: Path) -> None:
    err = io.StringIO()
    assert run_import(settings, tmp_path / "nope.csv", out=io.StringIO(), err=err) == 2
    assert "cannot read" in err.getvalue()


def test_the_cli_command(
    settings: Settings,
    tmp_path: Path,
    frozen_clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("JARVIS_DATABASE_URL", settings.effective_database_url)
    monkeypatch.delenv("JARVIS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no jarvis.toml or .env here
    assert cli(["import", "financial", str(write(tmp_path, GOOD))]) == 0
    assert "imported 3 snapshot(s)" in capsys.readouterr().out
    assert set(rows(settings)) == {"2026-09", "2026-10", "2026-11"}
