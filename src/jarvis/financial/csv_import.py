"""`jarvis import financial FILE.csv`: one snapshot per row, all rows or none.

The header names the columns (`period` plus any snapshot fields, in any order). Every
bad cell is reported as `line N, column NAME: problem` and then nothing is imported; an
empty cell means "not given" for that row. Runs the migrations first, so it works on a
fresh database; a running server picks the rows up when its cache expires.
"""

from __future__ import annotations

import asyncio
import csv
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from jarvis.core import clock
from jarvis.core.db import Database
from jarvis.core.migrate import upgrade
from jarvis.financial.fields import COUNT_FIELDS, INPUT_FIELDS
from jarvis.financial.schemas import SnapshotIn
from jarvis.financial.service import current_period, upsert_snapshot
from jarvis.settings import Settings

MAX_SHOWN = 50
MAX_ROWS = 100_000


@dataclass
class Parsed:
    rows: list[tuple[int, str, dict[str, float | int]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _cell(name: str, text: str) -> float | int:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if name in COUNT_FIELDS:
        try:
            return int(cleaned)
        except ValueError:
            raise ValueError("must be a whole number") from None
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError("must be a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def parse(stream: TextIO, *, this_month: str) -> Parsed:
    """Read and check every row; `errors` lists each problem with its line and column."""
    result = Parsed()
    reader = csv.reader(stream)
    header_row = next(reader, None)
    if header_row is None or not any(cell.strip() for cell in header_row):
        result.errors.append("line 1: the file is empty; the first line must name the columns")
        return result
    header = [cell.strip().lower() for cell in header_row]
    known = {"period", *INPUT_FIELDS}
    for index, name in enumerate(header):
        if name not in known:
            result.errors.append(f"line 1, column {name or '(blank)'}: not a snapshot field")
        elif name in header[:index]:
            result.errors.append(f"line 1, column {name}: appears more than once")
    if "period" not in header:
        result.errors.append("line 1: no `period` column")
    if result.errors:
        return result
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(result.rows) >= MAX_ROWS:
            result.errors.append(f"line {line}: more than {MAX_ROWS} rows")
            break
        if len(cells) != len(header):
            result.errors.append(f"line {line}: {len(cells)} cells, the header has {len(header)}")
            continue
        data: dict[str, Any] = {}
        row_errors: list[str] = []
        for name, text in zip(header, cells, strict=True):
            if name == "period":
                data["period"] = text.strip()
            elif text.strip():
                try:
                    data[name] = _cell(name, text)
                except ValueError as exc:
                    row_errors.append(f"line {line}, column {name}: {exc} (got {text.strip()[:40]!r})")
        try:
            snapshot = SnapshotIn.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                column = ".".join(str(part) for part in error["loc"]) or "period"
                problem = str(error["msg"]).removeprefix("Value error, ")
                if column == "period" and error["type"] == "string_pattern_mismatch":
                    problem = "must be a month written YYYY-MM"
                row_errors.append(f"line {line}, column {column}: {problem}")
        else:
            if snapshot.period > this_month:
                row_errors.append(f"line {line}, column period: {snapshot.period} is in the future")
            elif snapshot.period in seen:
                row_errors.append(f"line {line}, column period: {snapshot.period} repeats line {seen[snapshot.period]}")
        if row_errors:
            result.errors.extend(row_errors)
            continue
        seen[data["period"]] = line
        values = {name: value for name, value in data.items() if name != "period"}
        result.rows.append((line, data["period"], values))
    if not result.errors and not result.rows:
        result.errors.append("line 2: no data rows after the header")
    return result


async def _store(settings: Settings, rows: list[tuple[int, str, dict[str, float | int]]]) -> int:
    database = Database(settings.effective_database_url)
    created = 0
    try:
        async with database.sessions() as session:
            for _line, period, values in rows:
                _row, is_new = await upsert_snapshot(session, period=period, values=values, source="csv")
                created += is_new
            await session.commit()  # one transaction: all rows or none
    finally:
        await database.dispose()
    return created


def run_import(settings: Settings, path: Path, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Exit code: 0 imported, 1 bad rows (nothing imported), 2 unreadable file."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            parsed = parse(stream, this_month=current_period(clock.now()))
    except OSError as exc:
        print(f"jarvis: cannot read {path}: {exc.strerror or exc}", file=err)
        return 2
    except (UnicodeDecodeError, csv.Error) as exc:
        print(f"jarvis: {path} is not a UTF-8 CSV file: {exc}", file=err)
        return 2
    if parsed.errors:
        for message in parsed.errors[:MAX_SHOWN]:
            print(f"{path}: {message}", file=err)
        if len(parsed.errors) > MAX_SHOWN:
            print(f"{path}: … and {len(parsed.errors) - MAX_SHOWN} more problems", file=err)
        print(f"jarvis: nothing imported: {len(parsed.errors)} problem(s) in {path}", file=err)
        return 1
    Database(settings.effective_database_url)  # creates the data folder for SQLite
    upgrade(settings.effective_database_url)
    created = asyncio.run(_store(settings, parsed.rows))
    periods = sorted(period for _line, period, _values in parsed.rows)
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    print(
        f"imported {len(periods)} snapshot(s) ({span}) from {path}: "
        f"{created} new, {len(periods) - created} merged into existing periods",
        file=out,
    )
    return 0
