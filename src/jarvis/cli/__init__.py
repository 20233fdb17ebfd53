"""The `jarvis` command. One module per group of subcommands, each adding its parsers in `register`.

The standard library's argparse: the command is small, and the server process should not carry a CLI
framework (and the terminal-rendering stack it pulls in) for its whole life. `jarvis hook` runs before
every tool call of an agent, so `main` hands it to `jarvis.instances.hook` before it builds the parser
or imports any command module; the command modules import only the standard library at import time.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import import_module

TYPE_CHECKING = False  # not `typing`: it costs milliseconds before every hook event (mypy knows the idiom)

if TYPE_CHECKING:
    import argparse

MODULES = ("server", "accounts", "hook", "imports", "backup")
HOOK_SUBCOMMANDS = frozenset({"install", "uninstall", "-h", "--help"})


def parser() -> argparse.ArgumentParser:
    import argparse

    from jarvis.cli.base import Commands

    root = argparse.ArgumentParser(prog="jarvis", description="Jarvis Command Center")
    commands = Commands(root.add_subparsers(title="commands", metavar="COMMAND", required=True))
    for name in MODULES:
        import_module(f"jarvis.cli.{name}").register(commands)
    return root


def is_plain_hook(args: Sequence[str]) -> bool:
    """`jarvis hook …` as Claude Code runs it (not `hook install`, `hook uninstall` or `hook --help`)."""
    return bool(args) and args[0] == "hook" and not HOOK_SUBCOMMANDS.intersection(args[1:2])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if is_plain_hook(args):
        from jarvis.instances.hook import main as hook_main

        return hook_main(args[1:])

    from jarvis.cli.base import CommandError

    namespace = parser().parse_args(args)
    try:
        code: int = namespace.run(namespace)
    except CommandError as exc:
        return exc.code
    return code
