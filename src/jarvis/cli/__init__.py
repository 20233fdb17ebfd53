"""The `jarvis` command. One module per group of subcommands, each adding its parsers in `register`.

The standard library's argparse: the command is small, and the server process should not carry a CLI
framework (and the terminal-rendering stack it pulls in) for its whole life. Command modules import only
the standard library at import time: `jarvis hook` runs before every tool call of an agent.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from jarvis.cli import accounts, hook, imports, server
from jarvis.cli.base import CommandError, Commands

MODULES = (server, accounts, hook, imports)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="jarvis", description="Jarvis Command Center")
    commands = Commands(root.add_subparsers(title="commands", metavar="COMMAND", required=True))
    for module in MODULES:
        module.register(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except CommandError as exc:
        return exc.code
    return code
