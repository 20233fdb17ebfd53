"""What the pages show, computed from the dashboard sections (which may still be stubs).

The section data is the contract between the domains and the pages (docs/api.md shows them);
these helpers never assume a key is there, so a domain still in progress renders as its empty
state instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jarvis.web.filters import is_number

# Order and titles on the page (users of the original dashboard look for these titles).
SECTION_TITLES: dict[str, str] = {
    "business": "Business Performance",
    "instances": "Claude Instances",
    "health": "System Health",
    "financial": "Financial Summary",
    "waves": "Wave Progress",
}
FINANCIAL_KEYS = ("mrr", "arr", "customers", "revenue_today", "revenue_this_month", "cac", "ltv", "burn_rate")


@dataclass(frozen=True, slots=True)
class SectionView:
    name: str
    title: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DashboardView:
    sections: list[SectionView]
    empty: bool
    attention: dict[str, Any]  # the instances section, for the "Needs you" strip


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def has_content(name: str, data: dict[str, Any]) -> bool:
    """Whether a section has anything from a real source (an install with none gets onboarding)."""
    if name == "instances":
        return bool(_list(data, "instances") or _list(data, "blockers"))
    if name == "waves":
        return bool(_list(data, "waves") or _list(data, "projects"))
    if name == "health":  # the built-in self-check alone does not count as a connected service
        return any(isinstance(s, dict) and s.get("kind") != "self" for s in _list(data, "services"))
    if name == "business":
        for module in _list(data, "modules"):
            metrics = module.get("metrics") if isinstance(module, dict) else None
            if isinstance(metrics, dict) and any(
                isinstance(m, dict) and is_number(m.get("value")) for m in metrics.values()
            ):
                return True
        return False
    if name == "financial":
        return any(is_number(data.get(key)) for key in FINANCIAL_KEYS)
    return False


def section_data(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def dashboard_view(sections: dict[str, Any]) -> DashboardView:
    views = [SectionView(name, title, section_data(sections.get(name))) for name, title in SECTION_TITLES.items()]
    empty = not any(has_content(view.name, view.data) for view in views)
    return DashboardView(views, empty, section_data(sections.get("instances")))


def find_service(health: dict[str, Any], name: str) -> dict[str, Any] | None:
    for service in _list(health, "services"):
        if isinstance(service, dict) and service.get("name") == name:
            return service
    return None
