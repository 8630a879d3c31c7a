"""``shufang db``: integrity check, pending outbox, schema upgrade."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.cli.common import Subcommands, add_config_options, config_or_fail, fail
from kiosk.store import Store, StoreError


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "db", help="check or upgrade the kiosk database", description="Kiosk database maintenance."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="integrity check, schema and pending outbox count",
        description="Run SQLite's integrity and foreign-key checks and "
        "count journal rows not yet acknowledged; exit 1 on a problem.",
    )
    add_config_options(check)
    check.add_argument("--json", action="store_true", help="print a JSON report")
    check.set_defaults(func=run_check)
    upgrade = actions.add_parser(
        "migrate",
        help="apply pending schema steps",
        description="Apply pending schema migrations and list them.",
    )
    add_config_options(upgrade)
    upgrade.set_defaults(func=run_migrate)


def run_check(args: argparse.Namespace) -> int:
    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    path = config["database.path"]
    if not Path(path).is_file():  # a check must not create the file it checks
        return fail(f"no kiosk database at {path} (`shufang db migrate` creates it)", 1)
    try:
        store = Store(path, migrate_now=False)
        report = {
            "path": config["database.path"],
            "problems": store.integrity_problems(),
            "schema": store.schema_steps(),
            "pending_outbox": store.journal.outbox_depth(),
            "open_faults": len(store.faults.recent(open_only=True)),
            "counts": store.counts(),
        }
    except (StoreError, Exception) as exc:  # a corrupt file must be reported, not traced
        return fail(f"database check failed: {exc}", 1)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"database      {report['path']}")
        print(f"integrity     {'ok' if not report['problems'] else 'PROBLEMS'}")
        for problem in report["problems"]:
            print(f"  {problem}")
        print(f"schema        {', '.join(report['schema'])}")
        print(f"pending       {report['pending_outbox']} journal rows not yet acknowledged")
        print(f"open faults   {report['open_faults']}")
        print("rows          " + ", ".join(f"{k} {v}" for k, v in report["counts"].items()))
    return 1 if report["problems"] else 0


def run_migrate(args: argparse.Namespace) -> int:
    from kiosk.store.migrations import migrate

    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    store = Store(config["database.path"], migrate_now=False)
    applied = migrate(store.db)
    print("applied: " + (", ".join(applied) if applied else "nothing, schema is current"))
    return 0
