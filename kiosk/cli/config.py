"""``shufang config``: check a config file, print the sample, list the settings."""

from __future__ import annotations

import argparse

from kiosk.cli.common import Subcommands
from kiosk.config import SETTINGS, check_file, load_config
from kiosk.config.sample import render_sample


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "config",
        help="check or print the kiosk configuration",
        description="Check a kiosk config file or print the sample.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="validate FILE; print every problem with its line",
        description="Validate a kiosk config file against the declared "
        "settings; exit 1 if anything is wrong.",
    )
    check.add_argument("file", metavar="FILE")
    check.set_defaults(func=run_check)
    sample = actions.add_parser(
        "sample",
        help="print the sample config with every default",
        description="Print packaging/kiosk.sample.toml as generated from the setting declarations.",
    )
    sample.set_defaults(func=lambda args: print(render_sample(), end="") or 0)
    reference = actions.add_parser(
        "reference",
        help="print the settings table of docs/configuration.md",
        description="Print the Markdown settings table generated from the declarations.",
    )
    reference.set_defaults(func=run_reference)
    listing = actions.add_parser(
        "list",
        help="list every setting with type and default",
        description="List every setting with its type and help.",
    )
    listing.set_defaults(func=run_list)


def run_check(args: argparse.Namespace) -> int:
    """Problems make the exit status 1; files open to other accounts are warnings (exit 0:
    the config is valid, but a technician should fix the modes)."""
    issues = check_file(args.file)
    for issue in issues:
        print(f"{args.file}: {issue}")
    warnings = [] if issues else _mode_warnings(args.file)
    for warning in warnings:
        print(f"{args.file}: warning: {warning}")
    if not issues:
        print(f"{args.file}: ok" + (f" ({len(warnings)} warning(s))" if warnings else ""))
    return 1 if issues else 0


def _mode_warnings(path: str) -> list[str]:
    """The config file's mode, and the database it names (when it exists)."""
    from kiosk.diag.checks import file_mode_checks

    return [
        c.detail for c in file_mode_checks(path, load_config(path)) if c.status.value == "warning"
    ]


def run_list(args: argparse.Namespace) -> int:
    for setting in SETTINGS:
        print(f"{setting.key:<34} {setting.type.name:<16} {setting.help}")
    return 0


def run_reference(args: argparse.Namespace) -> int:
    from kiosk.config.reference import render_reference

    print(render_reference())
    return 0
