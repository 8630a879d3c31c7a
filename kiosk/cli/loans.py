"""``shufang loans``: a patron's current loans, for staff at the kiosk's shell."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk.cli.common import Subcommands, add_config_options, config_or_fail, fail
from kiosk.store import Store


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "loans",
        help="list a patron's current loans",
        description="List the current loans of one patron card, "
        "soonest due first, overdue ones marked.",
    )
    parser.add_argument("--patron", required=True, metavar="CARD", help="patron card id")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_config_options(parser)
    parser.set_defaults(func=run_loans)


def run_loans(args: argparse.Namespace) -> int:
    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    store = Store(config["database.path"])
    if store.patrons.get(args.patron) is None and not store.loans.of_patron(args.patron):
        return fail("no such patron card in this kiosk's database", 1)
    tz = ZoneInfo(config["kiosk.timezone"])
    now = datetime.now(UTC)
    rows = []
    for loan in store.loans.of_patron(args.patron):
        item = store.items.get(loan.item_pii)
        rows.append(
            {
                "pii": loan.item_pii,
                "title": item.title if item else "?",
                "due": loan.due_at.astimezone(tz).date().isoformat(),
                "overdue": loan.due_at < now,
                "renewals": loan.renewals,
                "recorded_offline": loan.offline,
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no current loans")
    for row in rows:
        flag = "  OVERDUE" if row["overdue"] else ""
        print(f"{row['due']}  {row['pii']:<16} {row['title']}{flag}")
    return 0
