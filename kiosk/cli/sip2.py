"""``shufang sip2``: check the library system's SIP2 service from the kiosk (technicians)."""

from __future__ import annotations

import argparse
import getpass
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kiosk.cli.common import Subcommands, add_config_options, config_or_fail, fail

T = TypeVar("T")


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "sip2",
        help="diagnose the SIP2 connection to the library system",
        description="Talk to the library system configured under [sip2]: log in, ask its "
        "status, look up a patron or an item. Nothing is borrowed or returned.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    ping = actions.add_parser(
        "ping",
        help="log in and ask the ACS status (99/98)",
        description="Connect, log in and print the ACS status with the round-trip time; "
        "exit 1 when the library system cannot be reached or refuses the login.",
    )
    patron = actions.add_parser(
        "patron",
        help="look a card up (63 or 23, per dialect)",
        description="Ask the library system about one card and print what the kiosk would "
        "decide; the patron's name is not printed.",
    )
    patron.add_argument("card", help="library card number")
    patron.add_argument("--pin", action="store_true", help="ask for the PIN and check it too")
    item = actions.add_parser(
        "item",
        help="look an item up (17)",
        description="Ask the library system about one item: status, due date, holds, home.",
    )
    item.add_argument("pii", help="item barcode (primary item identifier)")
    for sub, run in ((ping, run_ping), (patron, run_patron), (item, run_item)):
        add_config_options(sub)
        sub.add_argument("--json", action="store_true", help="print a JSON report")
        sub.set_defaults(func=run)


def _connector(args: argparse.Namespace) -> Any:  # a sync.sip2 Connector, or an exit code
    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    from sync.sip2.config import connector_from

    return connector_from(config)


def _show(args: argparse.Namespace, report: dict[str, Any]) -> None:
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    else:
        for key, value in report.items():
            print(f"{key:<18}{value}")


def _ask_acs(args: argparse.Namespace, question: Callable[[Any], T]) -> T | int:
    """Connect as the config says, ask one question and hang up; an exit code on failure."""
    from sync.sip2.errors import Sip2Error

    connector = _connector(args)
    if isinstance(connector, int):
        return connector
    try:
        return question(connector)
    except Sip2Error as exc:
        return fail(f"SIP2 {exc.code}: {exc}", 1)
    finally:
        connector.client.close()


def _timed_status(connector: Any) -> tuple[Any, float]:
    started = time.monotonic()
    return connector.client.sc_status(), time.monotonic() - started


def run_ping(args: argparse.Namespace) -> int:
    answer = _ask_acs(args, _timed_status)
    if isinstance(answer, int):
        return answer
    status, took_s = answer
    _show(
        args,
        {
            "online": status.online,
            "offline_ok": status.offline_ok,
            "checkout_ok": status.checkout_ok,
            "checkin_ok": status.checkin_ok,
            "renewal_ok": status.renewal_ok,
            "protocol": status.protocol_version,
            "institution": status.institution_id,
            "supported": status.supported,
            "round_trip_ms": round(took_s * 1000, 1),
        },
    )
    return 0 if status.online else 1


def run_patron(args: argparse.Namespace) -> int:
    pin = getpass.getpass("PIN: ") if args.pin else None
    answer = _ask_acs(args, lambda connector: connector.upstream.identify(args.card, pin))
    if isinstance(answer, int):
        return answer
    ident = answer.identification
    _show(
        args,
        {
            "identified": ident.ok,
            "reason": ident.reason.value,
            "borrow_block": ident.borrow_block.value if ident.borrow_block else "",
            "flags": ", ".join(answer.flags),
            "holds": answer.holds,
            "holds_available": answer.holds_available,
            "overdue": answer.overdue,
            "charged": answer.charged,
            "screen": " / ".join(answer.screen_messages),
        },
    )
    return 0 if ident.ok else 1


def run_item(args: argparse.Namespace) -> int:
    facts = _ask_acs(args, lambda connector: connector.upstream.item_information(args.pii))
    if isinstance(facts, int):
        return facts
    _show(
        args,
        {
            "pii": facts.pii,
            "title": facts.title,
            "status": facts.circulation_status,
            "due_at": facts.due_at.isoformat() if facts.due_at else "",
            "holds": facts.hold_queue_length,
            "owner": facts.owner,
            "home": facts.permanent_location,
            "screen": " / ".join(facts.screen_messages),
        },
    )
    return 0
