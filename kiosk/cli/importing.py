"""``shufang import``: load catalog items or patrons from CSV into the kiosk database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.cli.common import Subcommands, add_config_options, config_or_fail, fail
from kiosk.covers import CoverCache, CoverProblem, cache_folder_for, local_path
from kiosk.importer import read_catalog, read_patrons
from kiosk.models import Item
from kiosk.store import Store
from kiosk.textencoding import UnreadableText, decode_text

COLUMNS = {
    "catalog": "pii,title[,author,call_number,owner_isil,branch,item_class,set_size,status,cover]",
    "patrons": "card_id[,name|initials,category,card_kind,pin|pin_hash,expires_on,blocks,"
    "fines_cents]",
}


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import catalog items or patrons from CSV (all rows or none)",
        description="Import a CSV file. Every row is checked first; if any row is rejected, "
        "nothing is imported and each rejected row is listed with its line number.",
    )
    parser.add_argument("what", choices=("catalog", "patrons"), help="what the file holds")
    parser.add_argument(
        "file", metavar="FILE.csv", help="CSV with a header row: UTF-8 (BOM or not) or GB18030/GBK"
    )
    add_config_options(parser)
    parser.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    try:
        decoded = decode_text(Path(args.file).read_bytes())
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc}")
    except UnreadableText as exc:
        return fail(f"{args.file}:{exc.line}: nothing imported: {exc}")
    text = decoded.text
    base_dir = Path(args.file).resolve().parent  # where cover files are looked up
    report = read_catalog(text, base_dir) if args.what == "catalog" else read_patrons(text)
    if not report.ok:
        for line, why in report.rejected:
            print(f"{args.file}:{line}: rejected: {why}", file=sys.stderr)
        print(
            f"nothing imported: {len(report.rejected)} rejected row(s); "
            f"expected columns {COLUMNS[args.what]}",
            file=sys.stderr,
        )
        return 1
    store = Store(config["database.path"], busy_timeout_ms=config["database.busy_timeout_ms"])
    if args.what == "catalog":
        store.items.upsert(report.accepted)
        _cache_cover_files(report.accepted, config["database.path"])
    else:
        store.patrons.upsert(report.accepted)
    print(
        f"imported {len(report.accepted)} {args.what} row(s) into {config['database.path']} "
        f"(read as {decoded.encoding})"
    )
    return 0


def _cache_cover_files(items: list[Item], database: str) -> None:
    """Cover files are on this machine: into the cover cache now, so the screen has them even
    where no ``shufang sync`` runs (web covers wait for it)."""
    cache = CoverCache(cache_folder_for(database))
    files = {i.cover for i in items if local_path(i.cover) is not None}
    for reference in sorted(files):
        try:
            cache.copy_local(reference)
        except CoverProblem as problem:  # checked at import; changed since, or unreadable now
            print(f"cover {reference}: not cached: {problem}", file=sys.stderr)
    if files:
        print(f"cached {len(files)} cover file(s) in {cache.folder}")
