"""`clock.parse_timestamp` takes values from files and requests we do not control: it never raises."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jarvis.core import clock


@pytest.mark.parametrize(
    "value",
    ["²", "1²", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", float("nan"), float("inf"), 10**400,
     "9" * 400, -(10**20), "2025-13-45", [1], {"a": 1}, True],
)  # fmt: skip
def test_an_odd_value_is_none_not_an_exception(value: object) -> None:
    assert clock.parse_timestamp(value) is None


def test_every_accepted_format_comes_back_in_utc() -> None:
    expected = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    for value in ("2025-11-25T13:00:00+01:00", "2025-11-25T12:00:00Z", "2025-11-25 12:00:00", 1764072000,
                  "1764072000000", 1764072000000.0):  # fmt: skip
        parsed = clock.parse_timestamp(value)
        assert parsed == expected and parsed is not None and parsed.tzinfo == UTC
