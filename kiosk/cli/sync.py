"""``shufang sync``: the sync daemon that pushes the outbox, pulls changes and sends heartbeats."""

from __future__ import annotations

import argparse
import logging
import signal
from typing import Any

from kiosk.cli.common import Subcommands, add_config_options, config_or_fail, fail

#: Exit codes of ``--once``, so a systemd check or a technician's script can tell them apart.
EXIT_UNREACHABLE = 1
EXIT_UNAUTHORIZED = 3


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="run the sync daemon (outbox push, change pull, heartbeats)",
        description="Push the journal's unacknowledged rows to the central service, pull "
        "policy, catalog, patron and hold changes, and send heartbeats with device health "
        'and faults. With upstream.kind = "sip2" the rows are replayed to the library '
        "system instead, and the central, when upstream.token is set, gets the refused rows as "
        "conflicts for staff to settle, heartbeats, and serves changes. Shares the "
        "kiosk database with `shufang run`. Uses [upstream], [sip2] and [sync] of the config.",
    )
    add_config_options(parser)
    parser.add_argument(
        "--once",
        action="store_true",
        help="run one pass (push, heartbeat, pull) and exit: 0 when done, "
        f"{EXIT_UNREACHABLE} when the central or the library system is unreachable, "
        f"{EXIT_UNAUTHORIZED} when it refuses this kiosk's token",
    )
    parser.add_argument("--verbose", action="store_true", help="log every pass, not only problems")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.cli.logs import setup_logging
    from kiosk.cli.sdnotify import Notifier
    from kiosk.store import StoreError
    from sync.daemon import SyncDaemon, SyncSettings
    from sync.daemon.covers import CoverFetcher

    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    setup_logging(logging.INFO if args.verbose or not args.once else logging.WARNING)
    kind = config["upstream.kind"]
    if kind not in ("central", "sip2"):
        return fail(f"upstream.kind is {kind!r}; sync needs 'central' or 'sip2'")
    settings = SyncSettings.from_config(config)
    if kind == "central" and not settings.token:
        return fail("upstream.token is empty: enrol this kiosk (`shufang central enrol`)")
    try:
        daemon = SyncDaemon.from_config(config)
    except StoreError as error:
        return fail(str(error), 1)
    covers = CoverFetcher.for_database(config["database.path"])
    try:
        if args.once:
            status = _print_pass(daemon.run_once())
            fetched = covers.fetch_missing()
            if fetched.stored or fetched.refused:
                print(f"covers: {len(fetched.stored)} fetched, {len(fetched.refused)} refused")
            return status
        covers.start()  # its own thread: a slow picture server never holds up the journal
        signal.signal(signal.SIGTERM, lambda *_: daemon.request_stop())
        notifier = Notifier()
        try:
            daemon.feed_watchdog = notifier.watchdog
            daemon.watchdog_interval_s = notifier.watchdog_interval_s
            notifier.ready("syncing")
            central = settings.url if daemon.client is not None else "no central"
            where = f"{config['sip2.host']}:{config['sip2.port']}, {central}"
            logging.getLogger("shufang.sync").info(
                "syncing with %s", where if kind == "sip2" else settings.url
            )
            daemon.run_forever()
            notifier.stopping()
        finally:
            notifier.close()
        return 0
    finally:
        covers.stop()
        daemon.close()


def _print_pass(report: Any) -> int:  # a sync.daemon.PassReport (kiosk imports sync lazily)
    push, pull, acs = report.push, report.pull, report.acs
    if acs is not None:
        print(
            f"replayed {acs.answered} rows to the library system "
            f"({acs.conflicts} conflict), {acs.left} waiting"
        )
    reported = report.reported
    if reported is not None and reported.sent:
        print(
            f"reported {reported.recorded} refusal(s) to the central's conflicts "
            f"({reported.duplicates} duplicate), {reported.left} waiting"
        )
    if push is not None:
        print(
            f"pushed   {push.sent} rows, {push.acked} acknowledged "
            f"({push.duplicates} duplicate, {push.conflicts} conflict), {push.left} waiting"
        )
    if report.beat is not None:
        print(f"beat     sent, {report.beat.faults_sent} fault change(s) reported")
    if pull is not None:
        print(f"pulled   {pull.changes} changes in {pull.pages} page(s), cursor {pull.cursor}")
        if pull.policy_version:
            print(f"policy   now {pull.policy_version}")
    if not report.authorized:
        print(f"shufang: {report.error}; rows kept, fault recorded")
        return EXIT_UNAUTHORIZED
    if not report.reachable:
        print(f"shufang: central unreachable: {report.error}; rows kept")
        return EXIT_UNREACHABLE
    if report.error:
        print(f"shufang: {report.error}")
        return EXIT_UNREACHABLE
    if acs is not None and not acs.reachable:
        print(f"shufang: {acs.error}; rows kept")
        return EXIT_UNREACHABLE
    return 0
