"""``shufang demo``: the kiosk with simulated hardware and demo data, on one machine."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the kiosk with simulated devices and demo data",
        description="Seed a demo database and run the kiosk with simulated hardware. Where "
        "there is no display (or with --headless) a scripted walkthrough of every flow is "
        "printed instead of opening the touch screen.",
    )
    parser.add_argument(
        "--dir",
        metavar="DIR",
        help="folder for the demo database (default: a new temporary folder)",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="print the scripted walkthrough instead of opening a window",
    )
    parser.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from kiosk.config.loader import defaults
    from kiosk.core import open_core
    from kiosk.demo.seed import seed
    from kiosk.demo.walkthrough import run_walkthrough

    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="shufang-demo-"))
    config = defaults().replace(
        database__path=str(folder / "kiosk.db"),
        kiosk__isil="CN-110000-1",
        kiosk__branch="main",
        kiosk__branch_name="朝阳城市书房",
    )
    online = {"up": True}
    core = open_core(config, online=lambda: online["up"])
    counts = seed(
        core.store, isil=config["kiosk.isil"], branch=config["kiosk.branch"], now=datetime.now(UTC)
    )
    print(
        f"Shufang demo: {counts['items']} items, {counts['patrons']} patrons, "
        f"database {config['database.path']}"
    )
    run_walkthrough(core, lambda up: online.update(up=up))
    problems = core.store.integrity_problems()
    print(f"database integrity: {problems if problems else 'ok'}")
    core.close()
    return 0 if not problems else 1
