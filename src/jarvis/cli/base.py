"""What every command module shares: the subcommand registry, settings loading, the exit-code error."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jarvis.settings import Settings


class CommandError(Exception):
    """Ends the command with this exit code, after its message went to stderr."""

    def __init__(self, code: int) -> None:
        self.code = code


def fail(message: str, code: int = 2) -> CommandError:
    """Print `jarvis: message` on stderr; raise what this returns."""
    print(f"jarvis: {message}", file=sys.stderr)
    return CommandError(code)


class Commands:
    """The top-level subcommands, and named groups (`jarvis import …`) that several modules add to."""

    def __init__(self, subparsers: Any) -> None:
        self.subparsers = subparsers
        self.groups: dict[str, Any] = {}

    def add(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self.subparsers.add_parser(name, **kwargs)
        return parser

    def group(self, name: str, help: str) -> Any:  # noqa: A002 - argparse's own word
        if name not in self.groups:
            self.groups[name] = self.add(name, help=help).add_subparsers(metavar="COMMAND", required=True)
        return self.groups[name]


def load_settings() -> Settings:
    # Imported here: `jarvis hook` needs none of it.
    from jarvis.checks import check_settings
    from jarvis.settings import SettingsError
    from jarvis.settings import load_settings as load

    try:
        return check_settings(load())
    except SettingsError as exc:
        raise fail(str(exc)) from None
