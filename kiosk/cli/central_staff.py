"""``shufang central staff``: open, change and close the accounts staff sign in to the pages with.

Passwords are read from the terminal without echo (twice), or from the first line of standard
input with ``--password-stdin`` for provisioning scripts; never from the command line, where
``ps`` and the shell history would show them.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from kiosk.cli.central import CentralConfig, _add_config, _admin, _engine
from kiosk.cli.common import Subcommands

ROLES = ("viewer", "technician", "administrator")


def register(actions: Subcommands) -> None:
    staff = actions.add_parser(
        "staff",
        help="staff accounts for the fleet pages (add, passwd, role, disable, list)",
        description="Accounts for the fleet pages: a username, a password (stored as an "
        "argon2id hash) and a role: viewer (reads every page), technician, administrator "
        "(also settles conflicts). API scripts keep using tokens (enrol NAME --staff).",
    )
    commands = staff.add_subparsers(
        dest="staff_action", metavar="COMMAND", required=True, help="what to do"
    )
    for name, text in (
        ("add", "open an account"),
        ("passwd", "set a new password (ends the account's sessions, unlocks it)"),
        ("role", "change the account's role (ends its sessions)"),
        ("disable", "stop the account signing in (its sessions end; the audit log keeps it)"),
        ("list", "list the accounts"),
    ):
        command = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        if name != "list":
            command.add_argument("username", help="lower-case letters, digits, '.', '_', '-'")
        if name in ("add", "role"):
            command.add_argument(
                "--role", choices=ROLES, required=name == "role", default="viewer",
                help="what the account may do (default for add: viewer)",
            )  # fmt: skip
        if name in ("add", "passwd"):
            command.add_argument(
                "--password-stdin",
                action="store_true",
                help="read the password from the first line of standard input",
            )
        _add_config(command, admin=True)
        command.set_defaults(func=run_staff)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {args.username}: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


@_admin
def run_staff(args: argparse.Namespace, config: CentralConfig) -> int:
    from kiosk.clock import SystemClock
    from sync.central import staff_accounts
    from sync.central.database import reading, writing

    actor = "cli:" + (os.environ.get("SUDO_USER") or getpass.getuser())
    engine = _engine(config.db, create=args.create)
    try:
        if args.staff_action == "list":
            with reading(engine) as conn:
                for row in staff_accounts.accounts(conn):
                    state = "disabled" if row.disabled_at else "active"
                    last = (
                        row.last_signin_at.isoformat(timespec="minutes")
                        if row.last_signin_at
                        else "-"
                    )
                    print(f"{row.username}\t{row.role}\t{state}\tlast sign-in {last}")
            return 0
        password = _password(args) if args.staff_action in ("add", "passwd") else ""
        now = SystemClock().now()
        with writing(engine) as conn:
            if args.staff_action == "add":
                staff_accounts.add(conn, args.username, password, args.role, now, actor)
            elif args.staff_action == "passwd":
                staff_accounts.set_password(conn, args.username, password, now, actor)
            elif args.staff_action == "role":
                staff_accounts.set_role(conn, args.username, args.role, now, actor)
            else:
                staff_accounts.disable(conn, args.username, now, actor)
    except ValueError as error:  # AccountError is a ValueError
        print(f"shufang: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{args.staff_action}: {args.username} done")
    return 0
