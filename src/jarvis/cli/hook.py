"""`jarvis hook` (the Claude Code `command` hook) and `jarvis hook install|uninstall`.

The plain `jarvis hook` never reaches this parser: `jarvis.cli.main` hands it to
`jarvis.instances.hook` first, to start fast. The work is in `jarvis.instances.hook` and
`jarvis.instances.hook_install`.
"""

from __future__ import annotations

import argparse
import sys

from jarvis.cli.base import Commands

SERVER_HELP = "dashboard URL (default: $JARVIS_HOOK_URL, else http://127.0.0.1:5001)"


def hook(args: argparse.Namespace) -> int:
    from jarvis.instances.hook import run_hook

    run_hook(sys.stdin, args.server, args.token_file)
    return 0


def install(args: argparse.Namespace) -> int:
    from jarvis.instances.hook_install import run_install

    return run_install(project=args.project, server=args.server, token_file=args.token_file, dry_run=args.dry_run)


def uninstall(args: argparse.Namespace) -> int:
    from jarvis.instances.hook_install import run_uninstall

    return run_uninstall(project=args.project, dry_run=args.dry_run)


def _where(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="~/.claude/settings.json, for every project (the default)")
    where.add_argument("--project", metavar="DIR", help="DIR/.claude/settings.json, for one project")
    parser.add_argument("--dry-run", action="store_true", help="show the change, write nothing")


def register(commands: Commands) -> None:
    command = commands.add(
        "hook",
        help="Claude Code `command` hook: post the event read on stdin; `hook install` sets it up",
        description="Post the Claude Code hook event read on stdin to the dashboard. Silent, exit 0 always.",
    )
    command.add_argument("--server", metavar="URL", help=SERVER_HELP)
    command.add_argument("--token-file", metavar="PATH", help="API token (scope ingest) to send; else $JARVIS_TOKEN")
    command.set_defaults(run=hook)
    actions = command.add_subparsers(title="setup", metavar="COMMAND", dest="hook_command")
    add = actions.add_parser(
        "install",
        help="add the hook for every recorded event to Claude Code's settings.json",
        description="Write an entry running this jarvis for every recorded Claude Code event into settings.json. "
        "Idempotent; other hooks and keys are kept; the previous file is kept as settings.json.bak.",
    )
    _where(add)
    add.add_argument("--server", metavar="URL", help=SERVER_HELP)
    add.add_argument("--token-file", metavar="PATH", help="file holding an API token with the ingest scope")
    add.set_defaults(run=install)
    remove = actions.add_parser(
        "uninstall",
        help="remove exactly the entries `hook install` wrote",
        description="Remove the jarvis hook entries from settings.json, and nothing else.",
    )
    _where(remove)
    remove.set_defaults(run=uninstall)
