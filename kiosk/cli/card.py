"""``shufang card``: QR e-cards for tests and demos, and PIN hashes for config and imports."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime, timedelta

from kiosk import ecard
from kiosk.cli.common import Subcommands, add_config_options, config_or_fail, fail
from kiosk.pin import hash_pin


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "card", help="make QR e-cards and PIN hashes", description="Patron card tools."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    qr = actions.add_parser(
        "qr",
        help="print a signed QR e-card token for CARD",
        description="Sign an e-card token with the config's signing key "
        "(ecard.signing_key_id) and print it, or save it as a QR image.",
    )
    qr.add_argument("card", metavar="CARD", help="patron card id")
    qr.add_argument("--days", type=int, default=1, help="days until the token expires")
    qr.add_argument("--png", metavar="FILE", help="also write the QR code as a PNG image")
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
    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    kid = config["ecard.signing_key_id"]
    if not kid:
        return fail("set ecard.signing_key_id and ecard.keys in the config first")
    key = ecard.decode_key(config["ecard.keys"][kid])
    token = ecard.sign(args.card, kid, key, datetime.now(UTC) + timedelta(days=args.days))
    print(token)
    if args.png:
        import qrcode  # optional image output only

        qrcode.make(token).save(args.png)
    return 0


def run_hash_pin(args: argparse.Namespace) -> int:
    pin = getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        return fail("a PIN is 4 to 12 digits")
    print(hash_pin(pin))
    return 0
