"""`jarvis hook`: the Claude Code command hook (filled in by the instances domain)."""

from __future__ import annotations

from typing import TextIO


def run_hook(stdin: TextIO, server: str | None) -> None:
    return None
