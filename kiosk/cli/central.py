"""``shufang central``: run the central service, enrol and revoke kiosks, import CSV files.

The web and database libraries are imported inside the functions, so ``kiosk`` stays free of
them for every other command (a test checks this).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DB = "sqlite:///shufang-central.db"


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=os.environ.get("SHUFANG_CENTRAL_DB", DEFAULT_DB),
        help="database: postgresql://user@host/name, sqlite:///file or a file path "
        f"(default: $SHUFANG_CENTRAL_DB or {DEFAULT_DB})",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
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
    _add_db(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8470, help="TCP port (default 8470)")
    serve.add_argument(
        "--online-window",
        type=int,
        default=180,
        metavar="SECONDS",
        help="a kiosk without a heartbeat for this long is offline",
    )
    serve.add_argument(
        "--timezone", default="UTC", help="time zone of the statistics' days, e.g. Asia/Shanghai"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="API processes sharing the port (default 1); use with PostgreSQL",
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
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
    _add_db(enrol)
    enrol.set_defaults(func=run_enrol)

    revoke = actions.add_parser(
        "revoke",
        help="revoke a kiosk's (or staff) token",
        description="Revoke the token: the next call with it gets 401.",
    )
    revoke.add_argument("name", metavar="KIOSK_ID", help="kiosk id (or staff name with --staff)")
    revoke.add_argument("--staff", action="store_true", help="revoke a staff token")
    _add_db(revoke)
    revoke.set_defaults(func=run_revoke)

    imp = actions.add_parser(
        "import",
        help="import catalog items or patrons from CSV",
        description="Import a CSV whose columns are the wire field names. Every rejected "
        "row is reported with its line number and nothing is imported then.",
    )
    imp.add_argument("kind", choices=("catalog", "patrons"), help="what the file holds")
    imp.add_argument("file", type=Path, metavar="FILE.csv", help="UTF-8 CSV with a header row")
    _add_db(imp)
    imp.set_defaults(func=run_import)


def _engine(url: str):  # -> sqlalchemy Engine, migrated
    from sync.central.database import make_engine
    from sync.central.migrations import migrate

    engine = make_engine(url)
    migrate(engine)
    return engine


def run_serve(args: argparse.Namespace) -> int:
    from sync.central.app import create_app
    from sync.central.server import serve
    from sync.central.settings import CentralSettings

    if args.workers < 1:
        print("shufang: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.workers > 1:
        from sync.central.server import serve_workers

        _engine(args.db).dispose()  # migrate once, before the workers start
        serve_workers(
            args.db,
            args.workers,
            args.host,
            args.port,
            online_window=args.online_window,
            timezone=args.timezone,
            access_log=args.access_log,
        )
        return 0
    settings = CentralSettings.from_options(args.online_window, args.timezone)
    serve(create_app(args.db, settings=settings), args.host, args.port, access_log=args.access_log)
    return 0


def run_enrol(args: argparse.Namespace) -> int:
    from kiosk.clock import SystemClock
    from sync.central import auth
    from sync.central.database import writing

    if not args.staff and not args.branch:
        print("shufang: a kiosk needs --branch", file=sys.stderr)
        return 2
    engine = _engine(args.db)
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


def run_revoke(args: argparse.Namespace) -> int:
    from kiosk.clock import SystemClock
    from sync.central import auth
    from sync.central.database import writing

    engine = _engine(args.db)
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


def run_import(args: argparse.Namespace) -> int:
    from kiosk.clock import SystemClock
    from sync.central import catalog, csvimport
    from sync.central.database import writing

    if not args.file.is_file():
        print(f"shufang: no file {args.file}", file=sys.stderr)
        return 2
    parsed = (
        csvimport.read_items(args.file)
        if args.kind == "catalog"
        else csvimport.read_patrons(args.file)
    )
    if parsed.rejected:
        for rejected in parsed.rejected:
            print(f"{args.file}:{rejected.line}: {rejected.reason}", file=sys.stderr)
        print(f"shufang: {len(parsed.rejected)} row(s) rejected; nothing imported", file=sys.stderr)
        return 1
    engine = _engine(args.db)
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
