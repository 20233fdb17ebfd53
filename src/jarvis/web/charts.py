"""Server-side SVG charts: sparklines, the uptime heartbeat strip, the latency chart.

Drawn here rather than in the browser so the first response already shows them and no chart
library is shipped. Every chart uses a `viewBox` and scales to its container (CSS sets the
width), so it stays readable at 375 px. Colours are SVG presentation attributes, which the CSP
(`style-src 'self'`) allows, unlike `style=` attributes. Text inside the SVG is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from markupsafe import Markup

COLOURS = {
    "healthy": "#00ff88",
    "degraded": "#ffaa00",
    "offline": "#ff3366",
    "unknown": "#5b6780",
}
LINE = "#00d4ff"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _segments(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Split a series at its gaps (None) so a missing day is not drawn as a line."""
    segments: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for x, y in points:
        if y is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((x, y))
    if current:
        segments.append(current)
    return segments


def sparkline(values: Sequence[Any] | None, *, label: str = "", width: int = 100, height: int = 28) -> Markup:
    """A small line of the last N values (None where there is no value); empty when none exist."""
    series = [_num(v) for v in (values or [])]
    present = [v for v in series if v is not None]
    if not present:
        return Markup("")
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    step = width / max(len(series) - 1, 1)
    pad = 3.0

    def y_of(v: float) -> float:
        return height - pad - (v - low) / span * (height - 2 * pad)

    parts: list[str] = []
    for segment in _segments([(i * step, v) for i, v in enumerate(series)]):
        if len(segment) == 1:
            x, v = segment[0]
            parts.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y_of(v))}" r="2" fill="{LINE}"/>')
        else:
            coords = " ".join(f"{_fmt(x)},{_fmt(y_of(v))}" for x, v in segment)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2" '
                'stroke-linejoin="round" stroke-linecap="round" vector-effect="non-scaling-stroke"/>'
            )
    title = html.escape(label or f"Trend: from {_fmt(present[0])} to {_fmt(present[-1])}")
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" preserveAspectRatio="none" role="img" '
        f'aria-label="{title}"><title>{title}</title>{"".join(parts)}</svg>'
    )


def heartbeat(recent: Sequence[dict[str, Any]] | None, *, slots: int = 30, label: str = "Recent checks") -> Markup:
    """One bar per recent check, coloured by status, oldest left, on a faint track.

    Bars of one status share one `<path>` (a few bytes per bar): 50 services on the page must
    stay well inside the page-weight budget.
    """
    checks = list(recent or [])[-slots:]
    gap, bar = 1, 6
    width = slots * (bar + gap) - gap
    offset = slots - len(checks)
    paths: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for index, check in enumerate(checks):
        status = str(check.get("status") or "unknown")
        if status not in COLOURS:
            status = "unknown"
        counts[status] = counts.get(status, 0) + 1
        paths.setdefault(status, []).append(f"M{(offset + index) * (bar + gap)} 2h{bar}v20h-{bar}z")
    parts = [f'<rect x="0" y="2" width="{width}" height="20" rx="2" fill="#1a2438"/>']
    parts += [f'<path fill="{COLOURS[status]}" d="{"".join(d)}"/>' for status, d in paths.items()]
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no checks yet"
    title = html.escape(f"{label}: {summary}")
    return Markup(
        f'<svg class="heartbeat" viewBox="0 0 {width} 24" preserveAspectRatio="none" role="img" '
        f'aria-label="{title}"><title>{title}</title>{"".join(parts)}</svg>'
    )


def uptime_bars(days: Sequence[dict[str, Any]] | None, *, label: str = "Uptime") -> Markup:
    """One bar per day (the status page): green at 99.9 % or more, amber from 95 %, red below, grey without checks."""

    def status(uptime: Any) -> str:
        value = _num(uptime)
        if value is None:
            return "unknown"
        return "healthy" if value >= 99.9 else "degraded" if value >= 95 else "offline"

    bars = [{"status": status(day.get("uptime"))} for day in days or []]
    return heartbeat(bars, slots=max(len(bars), 1), label=label)


def _parse(at: Any) -> datetime | None:
    if not isinstance(at, str):
        return None
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None


def latency_chart(
    points: Sequence[dict[str, Any]] | None, *, width: int = 600, height: int = 180, label: str = "Latency"
) -> Markup:
    """Latency over time (ms), with a y-axis scale, failures marked in red below the line."""
    rows = [
        (t, _num(p.get("latency_ms")) if status in ("healthy", "degraded") else None, status)
        for p in points or []
        if (t := _parse(p.get("at")))
        for status in [str(p.get("status") or "unknown")]
    ]  # the line is answer times of checks that answered; a failure is a red mark, never a spike
    if not rows:
        return Markup('<p class="muted">No checks in this period yet.</p>')
    rows.sort(key=lambda row: row[0])
    left, right, top, bottom = 2.0, 2.0, 6.0, 6.0
    start, end = rows[0][0].timestamp(), rows[-1][0].timestamp()
    span_t = (end - start) or 1.0
    values = [v for _, v, _ in rows if v is not None]
    high = max(values) if values else 1.0
    high = high * 1.1 or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(moment: datetime) -> float:
        return left + (moment.timestamp() - start) / span_t * plot_w

    def y_of(v: float) -> float:
        return top + plot_h - v / high * plot_h

    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#2a3650"/>',
        f'<line x1="{left}" y1="{top}" x2="{width - right}" y2="{top}" stroke="#2a3650" stroke-dasharray="4 4"/>',
    ]
    for segment in _segments([(x_of(t), v) for t, v, _ in rows]):
        coords = " ".join(f"{_fmt(x)},{_fmt(y_of(v))}" for x, v in segment)
        if len(segment) == 1:
            x, v = segment[0]
            parts.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y_of(v))}" r="2.5" fill="{LINE}"/>')
        else:
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2" '
                'vector-effect="non-scaling-stroke"/>'
            )
    for moment, _, status in rows:
        if status in ("offline", "degraded"):
            parts.append(
                f'<rect x="{_fmt(x_of(moment) - 1.5)}" y="{top + plot_h - 6}" width="3" height="6" '
                f'fill="{COLOURS[status]}"/>'
            )
    title = html.escape(
        f"{label}: {len(rows)} checks, highest {_fmt(max(values))} ms" if values else f"{label}: no latency recorded"
    )
    # Axis labels are HTML beside the SVG, so they keep their size however narrow the chart gets.
    return Markup(
        f'<figure class="chart"><div class="chart-scale"><span>{_fmt(high)} ms</span><span>0 ms</span></div>'
        f'<svg class="latency-chart" viewBox="0 0 {width} {height}" preserveAspectRatio="none" role="img" '
        f'aria-label="{title}"><title>{title}</title>{"".join(parts)}</svg>'
        f'<figcaption class="chart-range"><span>{rows[0][0]:%d %b %H:%M}</span>'
        f"<span>{rows[-1][0]:%d %b %H:%M} UTC</span></figcaption></figure>"
    )


def pulse_chart(pulse: dict[str, Any] | None, *, max_rows: int = 12) -> Markup:
    """Tool calls per minute per session: one row of bars per session, oldest minute left, the bars of a
    row in one `<path>`, their height relative to the busiest minute of the whole chart."""
    series = list((pulse or {}).get("series") or [])[:max_rows]
    minutes = int((pulse or {}).get("minutes") or 30)
    if not series:
        return Markup("")
    label_w, bar, gap, row_h = 160, 20, 4, 26
    width = label_w + minutes * (bar + gap)
    height = row_h * len(series)
    peak = max((max(s["counts"]) for s in series), default=0) or 1
    parts: list[str] = []
    for row, item in enumerate(series):
        top = row * row_h
        name = html.escape(str(item.get("name") or item.get("instance"))[:24])
        total = sum(item["counts"])
        parts.append(f'<text x="0" y="{top + 17}" fill="#a3afc4" font-size="12">{name}</text>')
        parts.append(f'<rect x="{label_w}" y="{top + 3}" width="{width - label_w}" height="20" fill="#1a2438"/>')
        d = "".join(
            f"M{label_w + i * (bar + gap)} {_fmt(top + 23 - 20 * c / peak)}h{bar}V{top + 23}h-{bar}z"
            for i, c in enumerate(item["counts"])
            if c
        )
        if d:
            parts.append(f'<path fill="{LINE}" d="{d}"><title>{name}: {total} tool calls</title></path>')
    title = html.escape(
        f"Tool calls per minute over the last {minutes} min: "
        + ", ".join(f"{s.get('name')} {sum(s['counts'])}" for s in series)
    )
    return Markup(
        f'<svg class="pulse" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{title}">'
        f"<title>{title}</title>{''.join(parts)}</svg>"
    )
