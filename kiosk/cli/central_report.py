"""``shufang central report``: the efficiency report for a month or a year, as XLSX or CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.cli.central import CentralConfig, _add_config, _admin, _engine
from kiosk.cli.common import Subcommands


def register(actions: Subcommands) -> None:
    report = actions.add_parser(
        "report",
        help="the efficiency report (服务效能) for a month or year, as XLSX or CSV",
        description="Write every room's visits, loans, readers, turnover and kiosk health "
        "for the period, with the city median and the weak rooms flagged, as on "
        "/dashboard/efficiency.",
    )
    report.add_argument("--period", required=True, help="YYYY-MM (a month) or YYYY (a year)")
    report.add_argument("--format", choices=("xlsx", "csv"), default="xlsx", help="file type")
    report.add_argument("--district", default="", help="only this district's rooms")
    report.add_argument(
        "--output", type=Path, help="file to write (default: shufang-efficiency-PERIOD.FORMAT)"
    )
    _add_config(report, admin=True)
    report.set_defaults(func=run_report)
    rebuild = actions.add_parser(
        "rollup",
        help="rebuild the efficiency rollup from the ledger (after a bulk load or a repair)",
        description="The efficiency pages read per-day tables the ledger keeps as transactions "
        "arrive. After loading history straight into the database, or to repair them, this "
        "makes them again from the transactions, in one transaction (readers see the old "
        "tables until it commits).",
    )
    _add_config(rebuild, admin=True)
    rebuild.set_defaults(func=run_rollup)


@_admin
def run_rollup(args: argparse.Namespace, config: CentralConfig) -> int:
    import time

    from sync.central import rollup_rebuild
    from sync.central.database import writing

    engine = _engine(config.db, create=args.create)
    started = time.perf_counter()
    with writing(engine) as conn:
        rollup_rebuild.rebuild(conn)
        counted, days = rollup_rebuild.sizes(conn)
    engine.dispose()
    print(
        f"efficiency rollup rebuilt from {counted} transaction(s): {days} room-day(s) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


@_admin
def run_report(args: argparse.Namespace, config: CentralConfig) -> int:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from kiosk.clock import SystemClock
    from sync.central import efficiency, reports
    from sync.central.database import reading

    try:
        since, until = reports.parse_period(args.period)
    except ValueError as error:
        print(f"shufang: {error}", file=sys.stderr)
        return 2
    tz = ZoneInfo(config.timezone)
    now = SystemClock().now()
    engine = _engine(config.db, create=args.create)
    try:
        with reading(engine) as conn:
            found = efficiency.measure(
                conn, since, until, tz, timedelta(seconds=config.online_window_s), now
            )
    finally:
        engine.dispose()
    rooms = [r for r in found.rooms if not args.district or r.district == args.district]
    scope = args.district or "全市"
    title = f"书房服务效能报告 {scope} {args.period}"
    data = (
        reports.to_xlsx(found, rooms, title, now.astimezone(tz))
        if args.format == "xlsx"
        else reports.to_csv(found, rooms)
    )
    output = args.output or Path(f"shufang-efficiency-{args.period}.{args.format}")
    output.write_bytes(data)
    print(f"{output}: {len(rooms)} room(s), {args.period}")
    return 0
