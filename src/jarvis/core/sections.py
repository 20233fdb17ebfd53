"""The dashboard's five sections: their names (one `Section` literal), their cache TTL settings, and
what a domain may read of the composed snapshot (`SectionReader`) without importing the dashboard."""

from __future__ import annotations

from typing import Any, Literal, Protocol, get_args

from jarvis.core.extras import Key
from jarvis.core.hub import Subscription

Section = Literal["instances", "business", "health", "financial", "waves"]
SECTIONS: tuple[Section, ...] = get_args(Section)

# The `[cache.ttl]` setting each section is served under.
SECTION_TTL: dict[Section, str] = {
    "instances": "instance_activity",
    "waves": "waves",
    "health": "system_health",
    "business": "business_metrics",
    "financial": "financial",
}


def is_section(name: str) -> bool:
    return name in SECTION_TTL


class BuiltSection(Protocol):
    @property
    def data(self) -> dict[str, Any]: ...


class SectionReader(Protocol):
    """The composed snapshot as the domains that read it (proactive rules, chat tools) see it."""

    @property
    def version(self) -> int: ...

    async def section(self, name: Section) -> BuiltSection: ...

    def subscribe(self, maxsize: int = 16) -> Subscription: ...


# The dashboard installs its snapshot here; domains read the composed sections through it.
SECTION_READER = Key[SectionReader]("dashboard")
