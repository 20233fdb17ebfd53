"""`jarvis import financial FILE.csv`."""

from __future__ import annotations

import argparse
from pathlib import Path

from jarvis.cli.base import Commands, load_settings


def import_financial(args: argparse.Namespace) -> int:
    from jarvis.financial.csv_import import run_import

    return run_import(load_settings(), args.path)


def register(commands: Commands) -> None:
    imports = commands.group("import", help="Import data from files")
    command = imports.add_parser("financial", help="Import financial snapshots from CSV; all rows or none")
    command.add_argument("path", type=Path, help="CSV file with one snapshot per row")
    command.set_defaults(run=import_financial)
