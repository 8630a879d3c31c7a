"""``shufang central …`` run in the test's process, as the command line would: parsed by the
CLI's own parser, the command's exit code returned."""

from __future__ import annotations

import argparse

from kiosk.cli import central as central_cli


def shufang(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="shufang")
    central_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)
