"""``shufang central ecard``: issue a patron's QR e-card, signed with the central's key.

Only the central holds the Ed25519 private keys (kiosks verify with the public halves), so
this is where cards are made; the first card creates the first key if there is none, and
kiosks accept cards from a new key after their next sync.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.cli.central import CentralConfig, _add_config, _admin, _engine
from kiosk.cli.common import Subcommands
from kiosk.ecard import MAX_DAYS as MAX_ECARD_DAYS


def register(actions: Subcommands) -> None:
    command = actions.add_parser(
        "ecard",
        help="issue a patron's signed QR e-card",
        description="Sign a QR e-card for a patron the central holds and print its text "
        "(what the QR code carries); --qr also writes the code as a PNG image. Kiosks check "
        "it offline with the public key they received by sync.",
    )
    command.add_argument("card", metavar="CARD", help="the patron's card number")
    command.add_argument(
        "--days",
        type=int,
        default=30,
        help=f"days until the e-card expires (1-{MAX_ECARD_DAYS}, default 30)",
    )
    command.add_argument("--qr", metavar="FILE", help="also write the QR code as a PNG image")
    _add_config(command, admin=True)
    command.set_defaults(func=run_ecard)


@_admin
def run_ecard(args: argparse.Namespace, config: CentralConfig) -> int:
    from kiosk.clock import SystemClock
    from sync.central import catalog
    from sync.central.database import writing

    if not 1 <= args.days <= MAX_ECARD_DAYS:
        print(f"shufang: --days must be 1-{MAX_ECARD_DAYS}", file=sys.stderr)
        return 2
    engine = _engine(config.db, create=args.create)
    try:
        with writing(engine) as conn:
            issued = catalog.issue_ecard(conn, args.card, args.days, SystemClock().now())
    except catalog.NoSuchPatron:
        print(f"shufang: the central holds no patron {args.card!r}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(issued.token)
    print(
        f"key {issued.key_id}, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC",
        file=sys.stderr,
    )
    if args.qr:
        import qrcode  # image output only

        qrcode.make(issued.token).save(args.qr)
    return 0
