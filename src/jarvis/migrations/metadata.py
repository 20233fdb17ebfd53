"""Every domain's models, imported so that autogenerate sees the whole schema."""

from __future__ import annotations

import importlib

from jarvis.core.db import Base

DOMAINS = (
    "accounts",
    "instances",
    "projects",
    "health",
    "metrics",
    "financial",
    "chat",
    "proactive",
    "notifications",
    "costs",
)

for _domain in DOMAINS:
    try:
        importlib.import_module(f"jarvis.{_domain}.models")
    except ModuleNotFoundError as exc:  # a domain without tables
        if exc.name != f"jarvis.{_domain}.models":
            raise

target_metadata = Base.metadata
