"""The ``shufang`` command: the composition root that wires core, drivers, upstreams and UI.

Each subcommand lives in its own module with a ``register(subparsers)`` function. Commands that
start a process import ``drivers``, ``sync`` or ``ui`` inside the function that runs them, so
``kiosk`` itself never pulls Qt, serial or network code in at import time.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kiosk import __version__

#: Modules that contribute subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "kiosk.cli.demo",
    "kiosk.cli.run",
    "kiosk.cli.config",
    "kiosk.cli.db",
    "kiosk.cli.importing",
    "kiosk.cli.loans",
    "kiosk.cli.card",
    "kiosk.cli.tag",
    "kiosk.cli.diag",
    "kiosk.cli.central",
    "kiosk.cli.sip2",
    "kiosk.cli.sync",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shufang",
        description="Shufang (书房) self-service lending kiosk.",
    )
    parser.add_argument("--version", action="version", version=f"shufang {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
