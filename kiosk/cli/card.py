"""``shufang card``: PIN hashes for config and imports; QR e-cards only point to the central.

A kiosk holds e-card public keys only, so it cannot sign a card: ``shufang central ecard``
issues them (issue #14: a stolen kiosk disk must not mint cards).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.cli.common import Subcommands, add_config_options, config_or_fail, fail
from kiosk.pin import hash_pin


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "card",
        help="check QR e-cards and hash PINs (the central issues e-cards)",
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
    check = actions.add_parser(
        "check",
        help="say whether this kiosk accepts a QR e-card's text, and why not",
        description="Verify an e-card's text (what its QR code holds) with the public keys "
        "this kiosk has (replicated from the central, else ecard.keys): the card, key and "
        "expiry, or what is wrong. Exit 1 when the kiosk would refuse it.",
    )
    check.add_argument("token", metavar="TEXT", help="the e-card text, SF2.…")
    add_config_options(check)
    check.set_defaults(func=run_check)
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


def run_check(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from kiosk import ecard
    from kiosk.core import StoredECardKeys
    from kiosk.store import Store

    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    fallback = {kid: ecard.decode_key(key) for kid, key in config["ecard.keys"].items()}
    store = Store(config["database.path"])
    try:
        keys = dict(StoredECardKeys(store, fallback))
    finally:
        store.close()
    try:
        card = ecard.verify(args.token, keys, datetime.now(UTC))
    except ecard.ECardError as error:
        known = ", ".join(sorted(keys)) or "none"
        return fail(f"refused: {error} (keys on this kiosk: {known})", 1)
    expires = f"{card.expires_at:%Y-%m-%d %H:%M} UTC"
    print(f"accepted: card {card.card_id}, key {card.key_id}, expires {expires}")
    return 0


def run_hash_pin(args: argparse.Namespace) -> int:
    pin = getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        return fail("a PIN is 4 to 12 digits")
    print(hash_pin(pin))
    return 0
