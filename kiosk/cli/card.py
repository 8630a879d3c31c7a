"""``shufang card``: PIN hashes for config and imports; QR e-cards only point to the central.

A kiosk holds e-card public keys only, so it cannot sign a card: ``shufang central ecard``
issues them (issue #14: a stolen kiosk disk must not mint cards).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.cli.common import Subcommands, add_config_options, fail
from kiosk.pin import hash_pin


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "card",
        help="PIN hashes (QR e-cards: see shufang central ecard)",
        description="Patron card tools.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    qr = actions.add_parser(
        "qr",
        help="(retired) QR e-cards are issued by the central: shufang central ecard",
        description="Kiosks verify QR e-cards with public keys and cannot sign them. Issue "
        "one on the central: shufang central ecard CARD [--days N] [--qr FILE], or POST "
        "/api/v1/admin/ecards with a staff token.",
    )
    qr.add_argument("card", metavar="CARD", nargs="?", help="patron card id")
    qr.add_argument("--days", type=int, default=1, help=argparse.SUPPRESS)
    qr.add_argument("--png", metavar="FILE", help=argparse.SUPPRESS)
    add_config_options(qr)
    qr.set_defaults(func=run_qr)
    pin = actions.add_parser(
        "hash-pin",
        help="read a PIN on stdin and print its scrypt hash",
        description="Hash a PIN (from the terminal or stdin) for the "
        "config's technician.pin_hash or a patrons CSV pin_hash column.",
    )
    pin.set_defaults(func=run_hash_pin)


def run_qr(args: argparse.Namespace) -> int:
    return fail(
        "a kiosk holds only e-card public keys and cannot sign e-cards; issue one on the "
        "central with: shufang central ecard CARD [--days N] [--qr FILE]"
    )


def run_hash_pin(args: argparse.Namespace) -> int:
    pin = getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        return fail("a PIN is 4 to 12 digits")
    print(hash_pin(pin))
    return 0
