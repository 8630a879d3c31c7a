"""``shufang diag``: the diagnostics-mode checks from a shell (over SSH), for people and scripts."""

from __future__ import annotations

import argparse
import json
import os
import threading
from pathlib import Path

from kiosk.cli.common import DEFAULT_CONFIG, Subcommands, add_config_options, load
from kiosk.config import Config, ConfigError
from kiosk.diag.checks import (
    Check,
    Status,
    config_check,
    device_checks,
    file_mode_checks,
    store_checks,
    technician_check,
)

MARKS = {Status.OK: "ok  ", Status.WARNING: "WARN", Status.FAIL: "FAIL"}


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "diag",
        help="check config, database, sync queue, faults and devices; exit 1 on a problem",
        description="Run the technician's health checks from a shell. Exit status 0 when "
        "nothing failed (warnings allowed), 1 when a check failed.",
    )
    add_config_options(parser)
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument(
        "--no-devices",
        action="store_true",
        help="skip opening the devices (for example while `shufang run` holds a serial port)",
    )
    parser.add_argument(
        "--device-timeout",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="how long one device may take to open before it counts as failed (default 3)",
    )
    parser.set_defaults(func=run)


def config_path(args: argparse.Namespace) -> str | None:
    path = args.config or os.environ.get("SHUFANG_CONFIG")
    if path is None and os.path.exists(DEFAULT_CONFIG):
        path = DEFAULT_CONFIG
    return path


def gather(args: argparse.Namespace) -> list[Check]:
    try:
        config = load(args)
    except ConfigError as error:
        return [Check("config", Status.FAIL, "; ".join(str(i) for i in error.issues))]
    checks = [config_check(config_path(args)), technician_check(config)]
    checks += file_mode_checks(config_path(args), config)
    checks += database_report(config["database.path"], config)
    if not args.no_devices:
        checks += device_checks(config, lambda kind, uri: probe(kind, uri, args.device_timeout))
    return checks


def database_report(path: str, config: Config | None = None) -> list[Check]:
    """Store checks on an existing database, opened without migrating it."""
    from kiosk.store import Store, StoreError

    if not Path(path).is_file():
        return [Check("database", Status.FAIL, f"{path} does not exist")]
    try:
        store = Store(path, migrate_now=False)
    except StoreError as error:
        return [Check("database", Status.FAIL, str(error))]
    try:
        return store_checks(store, config=config)
    except Exception as error:  # a damaged or foreign file: say so instead of a traceback
        return [Check("database", Status.FAIL, f"{type(error).__name__}: {error}")]
    finally:
        store.close()


def probe(kind: str, uri: str, timeout: float) -> str:
    """Open and close one device through the driver registry on a thread; "" when it works."""
    from drivers.registry import DeviceRegistry

    outcome: list[str] = []

    def attempt() -> None:
        try:
            options = {} if kind == "rfid" else {"name": kind}
            device = DeviceRegistry().open_device(kind, uri, **options)
            device.open()
            device.close()
            outcome.append("")
        except Exception as error:  # every failure is the answer, not a crash
            outcome.append(f"{type(error).__name__}: {error}")

    thread = threading.Thread(target=attempt, name=f"diag-{kind}", daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome[0] if outcome else f"did not open within {timeout:g} s"


def run(args: argparse.Namespace) -> int:
    checks = gather(args)
    failed = any(c.failed for c in checks)
    if args.json:
        report = {"ok": not failed, "checks": [c.to_json_dict() for c in checks]}
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for check in checks:
            print(f"{MARKS[check.status]}  {check.name:<20} {check.detail}")
        print("something is wrong" if failed else "all checks passed")
    return 1 if failed else 0
