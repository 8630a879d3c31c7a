"""``shufang central``: run the central service, enrol and revoke kiosks, import CSV files
(staff accounts: ``central_staff``).

The web and database libraries are imported inside the functions, so ``kiosk`` stays free of
them for every other command (a test checks this).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.cli.common import Subcommands

#: A ``sync.central.config.CentralConfig`` (kiosk modules import sync only inside functions).
CentralConfig = Any
#: An admin command: the parsed arguments and the central's config in, an exit code out.
AdminCommand = Callable[[argparse.Namespace, CentralConfig], int]


def _add_config(parser: argparse.ArgumentParser, *, admin: bool) -> None:
    from sync.central.config import DEFAULT_CONFIG, ENV_CONFIG, ENV_DB

    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"the central's config (default: ${ENV_CONFIG} or {DEFAULT_CONFIG}, if it exists); "
        "the service and the admin commands read the same one",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database: postgresql://user@host/name, sqlite:///file or a file path "
        f"(default: ${ENV_DB}, else database.url of the config)",
    )
    if admin:
        parser.add_argument(
            "--create",
            action="store_true",
            help="create the database when it does not exist yet (without it, a wrong URL "
            "is an error instead of a new, empty database)",
        )


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "central",
        help="the central service: serve, enrol/revoke kiosks, import CSV",
        description="The central service that keeps the fleet's loans, catalog, patrons, "
        "policy, conflicts and device health.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    serve = actions.add_parser(
        "serve",
        help="run the HTTP API (uvicorn)",
        description="Migrate the database, then serve /api/v1 (OpenAPI at "
        "/api/v1/openapi.json). Several processes may share one PostgreSQL.",
    )
    _add_config(serve, admin=False)
    serve.add_argument("--host", help="address to listen on (default: config, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (default: config, 8470)")
    serve.add_argument(
        "--online-window",
        type=int,
        metavar="SECONDS",
        help="a kiosk without a heartbeat for this long is offline (default: config, 180)",
    )
    serve.add_argument(
        "--timezone",
        help="time zone of the fleet pages and the statistics' days "
        "(default: config, Asia/Shanghai)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="API processes sharing the port (default: config, 1); use with PostgreSQL",
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
        default=None,
        help="log every request (off by default: paths can carry card numbers)",
    )
    serve.set_defaults(func=run_serve)

    enrol = actions.add_parser(
        "enrol",
        help="issue a kiosk's (or a staff member's) token",
        description="Print a new bearer token once; only its hash is stored. Enrolling "
        "again replaces the old token. With --staff the token is for staff "
        "and admin endpoints instead of a kiosk.",
    )
    enrol.add_argument("name", metavar="KIOSK_ID", help="kiosk id (or staff name with --staff)")
    enrol.add_argument("--branch", help="the kiosk's branch (required for a kiosk)")
    enrol.add_argument(
        "--staff", action="store_true", help="issue a staff/admin token instead of a kiosk token"
    )
    _add_config(enrol, admin=True)
    enrol.set_defaults(func=run_enrol)

    revoke = actions.add_parser(
        "revoke",
        help="revoke a kiosk's (or staff) token",
        description="Revoke the token: the next call with it gets 401.",
    )
    revoke.add_argument("name", metavar="KIOSK_ID", help="kiosk id (or staff name with --staff)")
    revoke.add_argument("--staff", action="store_true", help="revoke a staff token")
    _add_config(revoke, admin=True)
    revoke.set_defaults(func=run_revoke)

    imp = actions.add_parser(
        "import",
        help="import catalog items or patrons from CSV",
        description="Import a CSV whose columns are the wire field names. Every rejected "
        "row is reported with its line number and nothing is imported then.",
    )
    imp.add_argument("kind", choices=("catalog", "patrons"), help="what the file holds")
    imp.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="CSV with a header row (UTF-8 or GB18030/GBK), or for the catalog a MARC 21 / "
        "CNMARC export (.mrc .iso .dat ISO 2709, or MARCXML .xml)",
    )
    _add_config(imp, admin=True)
    imp.set_defaults(func=run_import)

    from kiosk.cli import (
        central_alerts,
        central_branches,
        central_ecard,
        central_report,
        central_staff,
    )

    central_staff.register(actions)
    central_ecard.register(actions)
    central_branches.register(actions)
    central_alerts.register(actions)
    central_report.register(actions)

    upgrade = actions.add_parser(
        "migrate",
        help="apply pending schema steps to the central database",
        description="Bring an existing central database's schema up to date (the package "
        "does this on upgrade; `serve` does it too on start) and list the steps applied.",
    )
    _add_config(upgrade, admin=True)
    upgrade.set_defaults(func=run_migrate)


def central_config(args: argparse.Namespace) -> CentralConfig:
    """The config file's values with the command line's on top (see sync.central.config)."""
    from dataclasses import replace

    from sync.central.config import load_central_config

    config = load_central_config(args.config, args.db)
    given = {
        name: getattr(args, option)
        for name, option in (
            ("host", "host"),
            ("port", "port"),
            ("workers", "workers"),
            ("timezone", "timezone"),
            ("online_window_s", "online_window"),
            ("access_log", "access_log"),
        )
        if getattr(args, option, None) is not None
    }
    return replace(config, **given)


class NoDatabase(Exception):
    """The configured database is not a central database yet and --create was not given."""


def _engine(url: str, *, create: bool = True) -> Any:  # a migrated sqlalchemy Engine
    from sync.central.database import holds_central_schema, make_engine
    from sync.central.migrations import migrate

    if not create and not holds_central_schema(url):
        raise NoDatabase(url)
    engine = make_engine(url)
    migrate(engine)
    return engine


def _warn_about_modes(config: CentralConfig) -> None:
    """Say on stderr which of the central's files other accounts may read (the command
    still runs: a technician fixes the modes)."""
    from sync.central.config import mode_warnings

    for warning in mode_warnings(config):
        print(f"shufang: warning: {warning}", file=sys.stderr)


def _admin(run: AdminCommand) -> Callable[[argparse.Namespace], int]:
    """Wrap an admin command: read the config, refuse to start a database by accident."""
    from functools import wraps

    @wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        from sync.central.config import CentralConfigError

        config = None
        try:
            config = central_config(args)
            _warn_about_modes(config)
            return int(run(args, config))
        except CentralConfigError as error:
            print(f"shufang: {error}", file=sys.stderr)
            return 2
        except NoDatabase as error:
            where = f" (from {config.source})" if config and config.source else ""
            print(
                f"shufang: no central database at {error}{where}; check --config, --db or "
                "$SHUFANG_CENTRAL_DB, or add --create to start a new one",
                file=sys.stderr,
            )
            return 2

    return wrapped


def run_serve(args: argparse.Namespace) -> int:
    from sync.central.app import create_app
    from sync.central.config import CentralConfigError
    from sync.central.server import serve
    from sync.central.settings import CentralSettings

    try:
        config = central_config(args)
    except CentralConfigError as error:
        print(f"shufang: {error}", file=sys.stderr)
        return 2
    if config.workers < 1:
        print("shufang: --workers must be at least 1", file=sys.stderr)
        return 2
    _warn_about_modes(config)
    if config.workers > 1:
        from sync.central.server import serve_workers

        _engine(config.db).dispose()  # migrate once, before the workers start
        serve_workers(
            config.db,
            config.workers,
            config.host,
            config.port,
            online_window=config.online_window_s,
            timezone=config.timezone,
            access_log=config.access_log,
        )
        return 0
    settings = CentralSettings.from_options(config.online_window_s, config.timezone)
    serve(
        create_app(config.db, settings=settings),
        config.host,
        config.port,
        access_log=config.access_log,
    )
    return 0


@_admin
def run_enrol(args: argparse.Namespace, config: CentralConfig) -> int:
    from kiosk.clock import SystemClock
    from sync.central import auth
    from sync.central.database import writing

    if not args.staff and not args.branch:
        print("shufang: a kiosk needs --branch", file=sys.stderr)
        return 2
    engine = _engine(config.db, create=args.create)
    with writing(engine) as conn:
        now = SystemClock().now()
        token = (
            auth.enrol_staff(conn, args.name, now)
            if args.staff
            else auth.enrol_kiosk(conn, args.name, args.branch, now)
        )
    engine.dispose()
    print(token)
    print(
        "Shown once: only its hash is stored. Use it as 'Authorization: Bearer <token>'.",
        file=sys.stderr,
    )
    return 0


@_admin
def run_revoke(args: argparse.Namespace, config: CentralConfig) -> int:
    from kiosk.clock import SystemClock
    from sync.central import auth
    from sync.central.database import writing

    engine = _engine(config.db, create=args.create)
    with writing(engine) as conn:
        now = SystemClock().now()
        done = (
            auth.revoke_staff(conn, args.name, now)
            if args.staff
            else auth.revoke_kiosk(conn, args.name, now)
        )
    engine.dispose()
    if not done:
        print(f"shufang: no {'staff' if args.staff else 'kiosk'} {args.name!r}", file=sys.stderr)
        return 1
    print(f"revoked {args.name}")
    return 0


@_admin
def run_import(args: argparse.Namespace, config: CentralConfig) -> int:
    from kiosk.clock import SystemClock
    from sync.central import catalog, csvimport
    from sync.central.database import writing

    if not args.file.is_file():
        print(f"shufang: no file {args.file}", file=sys.stderr)
        return 2
    from sync.central import marcimport

    marc = args.kind == "catalog" and marcimport.is_marc(args.file)
    parsed: Any  # csvimport.Parsed of item or patron records, by the kind asked for
    if marc:
        found = marcimport.read_marc(args.file)
        parsed = found.as_parsed()
        print(
            f"{args.file}: {found.records} MARC record(s), {len(found.items)} item(s) with a "
            f"barcode, {found.without_holdings} record(s) without holdings (not lendable)",
            file=sys.stderr,
        )
    else:
        parsed = (
            csvimport.read_items(args.file)
            if args.kind == "catalog"
            else csvimport.read_patrons(args.file)
        )
    if parsed.rejected:
        for rejected in parsed.rejected:
            print(f"{args.file}:{rejected.line}: {rejected.reason}", file=sys.stderr)
        what = "record(s)" if marc else "row(s)"
        print(f"shufang: {len(parsed.rejected)} {what} rejected; nothing imported", file=sys.stderr)
        return 1
    engine = _engine(config.db, create=args.create)
    with writing(engine) as conn:
        now = SystemClock().now()
        result = (
            catalog.upsert_items(conn, parsed.records, now)
            if args.kind == "catalog"
            else catalog.upsert_patrons(conn, parsed.records, now)
        )
    engine.dispose()
    print(
        f"{args.kind}: {result.inserted} new, {result.updated} updated, "
        f"{len(parsed.records) - result.inserted - result.updated} unchanged"
    )
    return 0


@_admin
def run_migrate(args: argparse.Namespace, config: CentralConfig) -> int:
    from sync.central.database import holds_central_schema, make_engine
    from sync.central.migrations import migrate

    if not args.create and not holds_central_schema(config.db):
        raise NoDatabase(config.db)
    engine = make_engine(config.db)
    try:
        applied = migrate(engine)
    finally:
        engine.dispose()
    print("applied: " + (", ".join(applied) if applied else "nothing, schema is current"))
    return 0
