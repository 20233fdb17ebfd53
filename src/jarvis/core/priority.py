"""How urgent something is: one scale for suggestions, notifications and agents that need someone."""

from __future__ import annotations

from typing import Literal

Priority = Literal["critical", "high", "normal", "low"]
PRIORITIES: tuple[Priority, ...] = ("critical", "high", "normal", "low")
PRIORITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(PRIORITIES)}
