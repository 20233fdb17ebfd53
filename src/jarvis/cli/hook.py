"""`jarvis hook`: the Claude Code `command` hook (the work is in `jarvis.instances.hook`)."""

from __future__ import annotations

import argparse
import sys

from jarvis.cli.base import Commands


def hook(args: argparse.Namespace) -> int:
    from jarvis.instances.hook import run_hook

    run_hook(sys.stdin, args.server)
    return 0


def register(commands: Commands) -> None:
    command = commands.add("hook", help="Claude Code `command` hook: post the event read on stdin")
    command.add_argument("--server", help="dashboard URL (default http://127.0.0.1:<port>)")
    command.set_defaults(run=hook)
