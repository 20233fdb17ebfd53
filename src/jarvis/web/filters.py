"""Formatting for templates: numbers, money, percentages, status words with their icons, ages.

A missing figure renders as an em dash, never as 0 (no figure is invented). Status always comes
with an icon and a word so colour is never the only signal.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, TypeGuard

from markupsafe import Markup, escape

from jarvis.core import clock

STATUS_ICONS = {
    "healthy": "✓",
    "active": "●",
    "working": "⚙",
    "waiting": "…",
    "idle": "○",
    "blocked": "⊘",
    "done": "✓",
    "completed": "✓",
    "ended": "■",
    "stale": "◌",
    "silent": "◌",
    "error": "!",
    "background": "◐",
    "in_progress": "▶",
    "pending": "○",
    "degraded": "▲",
    "offline": "✕",
    "unknown": "?",
    "critical": "‼",
    "high": "!",
    "medium": "•",
    "low": "·",
}
SEVERITY_CLASS = {"critical": "s-critical", "high": "s-offline", "medium": "s-degraded", "low": "s-unknown"}


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def num(value: Any, digits: int = 1) -> str:
    """1234.5 -> '1,234.5'; whole numbers without decimals; None -> '—'."""
    if not is_number(value):
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def money(value: Any) -> str:
    if not is_number(value):
        return "—"
    sign = "-" if value < 0 else ""
    amount = abs(float(value))
    if amount >= 1_000_000:
        return f"{sign}${amount / 1_000_000:,.2f}M"
    if amount >= 100:
        return f"{sign}${amount:,.0f}"
    return f"{sign}${amount:,.2f}"


def pct(value: Any, digits: int = 1) -> str:
    if not is_number(value):
        return "—"
    return f"{value:.{digits}f}%"


# Words that read as acronyms, not as words, when a key is shown to a person.
ACRONYMS = {"mrr": "MRR", "arr": "ARR", "cac": "CAC", "ltv": "LTV", "api": "API", "ai": "AI", "url": "URL"}


def humanize(key: Any) -> str:
    return _humanize(str(key or ""))


@lru_cache(maxsize=4096)
def _humanize(key: str) -> str:
    """Cached: a page shows the same few hundred keys and statuses on every render."""
    words = [ACRONYMS.get(word.lower(), word) for word in key.replace("_", " ").replace("-", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def status_icon(status: Any) -> str:
    return STATUS_ICONS.get(str(status or "unknown"), "?")


def status_class(status: Any) -> str:
    value = str(status or "unknown")
    return SEVERITY_CLASS.get(value, f"s-{value}")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return _parse_time(value)


@lru_cache(maxsize=4096)
def _parse_time(value: str) -> datetime | None:
    """Cached: every service and agent on a page carries timestamps that repeat between renders."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def age(value: Any) -> str:
    """'3 min ago' at render time; the browser keeps it current (stream.js)."""
    moment = parse_time(value)
    if moment is None:
        return "never"
    seconds = max(0, int((clock.now() - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def short_time(value: Any) -> str:
    return _short_time(value) if isinstance(value, str) else "—"


@lru_cache(maxsize=4096)
def _short_time(value: str) -> str:
    moment = parse_time(value)
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "—"


def trend(value: Any) -> dict[str, str] | None:
    """A trend percentage as arrow + text + class, or None when there is no previous value."""
    if not is_number(value):
        return None
    if value > 0:
        return {"icon": "▲", "text": f"+{value:.1f}%", "cls": "up"}
    if value < 0:
        return {"icon": "▼", "text": f"{value:.1f}%", "cls": "down"}
    return {"icon": "▬", "text": "0.0%", "cls": "flat"}


def status(value: Any, label: Any = None) -> Markup:
    """A status as icon + word (colour is never the only signal). A function, not a macro: it is
    called for every card and service, and macros cost several times more per call."""
    return _status(str(value or "unknown"), str(label) if label else None)


@lru_cache(maxsize=1024)
def _status(value: str, label: str | None) -> Markup:
    text = label or humanize(value)
    return Markup(
        f'<span class="status {escape(status_class(value))}"><span class="status-icon" aria-hidden="true">'
        f"{escape(status_icon(value))}</span> {escape(text)}</span>"
    )


def when(iso: Any) -> Markup:
    """A `<time>` with the age at render time; the browser keeps the age current."""
    if not iso:
        return Markup('<span class="muted">never</span>')
    return Markup(
        f'<time datetime="{escape(iso)}" data-age title="{escape(short_time(iso))}">{escape(age(iso))}</time>'
    )


def reason(text: Any) -> Markup:
    """An attention reason: escaped, with its `code` spans (the command, the path) as <code>."""
    parts = str(text or "").split("`")
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if index % 2 else escape(part) for index, part in enumerate(parts)
    )


def waited(seconds: Any) -> str:
    return clock.human_duration(float(seconds)) if is_number(seconds) else ""


FILTERS = {
    "reason": reason,
    "waited": waited,
    "num": num,
    "money": money,
    "pct": pct,
    "humanize": humanize,
    "status_icon": status_icon,
    "status_class": status_class,
    "age": age,
    "short_time": short_time,
    "trend": trend,
}
