"""The server-side SVG charts: gaps stay gaps, every check is drawn, text is escaped."""

from __future__ import annotations

from jarvis.web import charts
from jarvis.web.history import chart_points, strip


def test_sparkline_breaks_at_missing_days_and_is_empty_without_values() -> None:
    svg = charts.sparkline([1, 2, None, 4, 5])
    assert svg.count("<polyline") == 2
    assert charts.sparkline([None, None]) == ""
    assert "<circle" in charts.sparkline([None, 3, None])


def test_heartbeat_draws_one_bar_per_check_grouped_by_status() -> None:
    recent = [{"at": "t", "status": "healthy"}] * 3 + [{"at": "t", "status": "offline"}]
    svg = charts.heartbeat(recent, label="<api>")
    assert svg.count("h6v20h-6z") == 4
    assert "3 healthy" in svg and "1 offline" in svg
    assert "&lt;api&gt;" in svg and "<api>" not in svg


def test_latency_chart_marks_failures_and_handles_no_points() -> None:
    points = [
        {"at": "2026-11-25T10:00:00Z", "status": "healthy", "latency_ms": 10},
        {"at": "2026-11-25T10:01:00Z", "status": "offline", "latency_ms": None},
        {"at": "2026-11-25T10:02:00Z", "status": "healthy", "latency_ms": 30},
    ]
    svg = charts.latency_chart(points)
    assert "highest 30 ms" in svg and 'fill="#ff3366"' in svg
    assert "No checks" in charts.latency_chart([])


def test_hourly_points_become_statuses_and_long_strips_are_grouped() -> None:
    hourly = [
        {"at": "a", "count": 4, "uptime": 100.0, "latency_avg_ms": 5.0},
        {"at": "b", "count": 4, "uptime": 50.0, "latency_p50_ms": 9.0, "latency_avg_ms": None},
        {"at": "c", "count": 0, "uptime": None},
        {"at": "d", "count": 2, "uptime": 0.0},
    ]
    assert [p["status"] for p in chart_points(hourly)] == ["healthy", "degraded", "unknown", "offline"]
    assert chart_points(hourly)[1]["latency_ms"] == 9.0
    many = [{"at": str(i), "status": "offline" if i == 5 else "healthy"} for i in range(720)]
    grouped = strip(many, slots=90)
    assert len(grouped) == 90 and grouped[0]["status"] == "offline"
