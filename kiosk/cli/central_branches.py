"""``shufang central district``: put branches into districts (县/区) for the fleet overview."""

from __future__ import annotations

import argparse
import sys

from kiosk.cli.central import CentralConfig, _add_config, _admin, _engine
from kiosk.cli.common import Subcommands


def register(actions: Subcommands) -> None:
    command = actions.add_parser(
        "district",
        help="set the district (县/区) of one or more branches",
        description="Group branches into a district; the fleet overview filters by it. "
        "An empty DISTRICT takes the branches out of any district.",
    )
    command.add_argument("district", metavar="DISTRICT", help="e.g. 朝阳区")
    command.add_argument("branches", nargs="+", metavar="BRANCH", help="branch names as enrolled")
    _add_config(command, admin=True)
    command.set_defaults(func=run_district)


@_admin
def run_district(args: argparse.Namespace, config: CentralConfig) -> int:
    from kiosk.clock import SystemClock
    from sync.central import branches, staff_wire
    from sync.central.database import writing

    engine = _engine(config.db, create=args.create)
    try:
        with writing(engine) as conn:
            records = [staff_wire.BranchRecord(b, args.district) for b in args.branches]
            branches.set_districts(conn, records, SystemClock().now())
    except ValueError as error:
        print(f"shufang: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{len(args.branches)} branch(es) in {args.district or 'no district'}")
    return 0
