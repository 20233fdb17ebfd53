"""CSV import of financial snapshots (filled in by the financial domain)."""

from __future__ import annotations

from pathlib import Path

from jarvis.settings import Settings


def run_import(settings: Settings, path: Path) -> int:
    return 1
