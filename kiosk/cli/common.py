"""Options and helpers shared by the subcommands that read the config or the database."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TypeAlias

from kiosk.config import Config, ConfigError, load_config
from kiosk.config.loader import defaults

DEFAULT_CONFIG = "/etc/shufang/kiosk.toml"

#: what ``add_subparsers()`` returns, that each subcommand module's ``register`` is given
#: (a string: argparse's class takes no type argument at run time, only for the checker)
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"kiosk config (default: $SHUFANG_CONFIG or {DEFAULT_CONFIG}, if it exists)",
    )
    parser.add_argument("--db", metavar="PATH", help="kiosk database file (overrides the config)")


def load(args: argparse.Namespace) -> Config:
    """The config named on the command line, else the default one, else built-in defaults."""
    path = args.config or os.environ.get("SHUFANG_CONFIG")
    if path is None and os.path.exists(DEFAULT_CONFIG):
        path = DEFAULT_CONFIG
    config = load_config(path) if path else defaults()
    if args.db:
        config = config.replace(database__path=args.db)
    return config


def fail(message: str, code: int = 2) -> int:
    print(f"shufang: {message}", file=sys.stderr)
    return code


def config_or_fail(args: argparse.Namespace) -> Config | int:
    try:
        return load(args)
    except ConfigError as error:
        for issue in error.issues:
            print(f"{error.source}: {issue}", file=sys.stderr)
        return 2
