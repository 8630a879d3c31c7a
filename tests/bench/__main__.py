"""`make bench`: run every benchmark and print one table per area."""

from __future__ import annotations

import argparse
import importlib
import sys

from tests.bench import circulation_bench, cover_bench, rfid_bench, sip2_stack_bench, ui_bench


def circulation(args: argparse.Namespace) -> None:
    result = circulation_bench.run(args.items, args.patrons, args.operations)
    print(
        f"\n## circulation core: {result['items']:,} items, {result['patrons']:,} patrons "
        f"(seeded in {result['seed_s']:.1f} s), SQLite WAL synchronous=FULL"
    )
    timings = result["timings"]
    commit = timings[0]
    print(
        f"{'operation':<24}{'n':>7}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}"
        f"{'p99 / commit p99':>18}{'target p99':>12}"
    )
    for timing in timings:
        target = "" if timing is commit else "< 5 ms"
        print(
            f"{timing.name:<24}{len(timing.samples_ms):>7}{timing.p50:>10.3f}"
            f"{timing.p99:>10.3f}{max(timing.samples_ms):>10.3f}"
            f"{timing.p99 / commit.p99:>18.1f}{target:>12}"
        )


def table(title: str, rows) -> None:
    print(f"\n## {title}")
    for row in rows:
        print(f"{row.name:<40}{row.n:>8}  {row.figure}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Shufang benchmarks")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--patrons", type=int, default=200_000)
    parser.add_argument("--operations", type=int, default=5_000)
    parser.add_argument(
        "--only",
        choices=("circulation", "rfid", "ui", "voice", "sync", "fleet"),
        help="run one area",
    )
    args = parser.parse_args()
    if args.only in (None, "circulation"):
        circulation(args)
    if args.only in (None, "rfid"):
        table("RFID", rfid_bench.run())
    if args.only in (None, "ui"):
        table("touch UI (offscreen)", ui_bench.run() + cover_bench.run() + sip2_stack_bench.run())
    if args.only in (None, "voice"):
        from tests.bench import voice_bench

        table("spoken prompts (espeak-ng)", voice_bench.run())
    if args.only in (None, "fleet"):
        from tests.bench import fleet_bench

        table("fleet pages at city scale (server time)", fleet_bench.run())
        from tests.bench import efficiency_bench

        table("efficiency page at city scale (server time)", efficiency_bench.run())
        from tests.bench import rotation_bench

        table("collection rotation for the seeded city (server time)", rotation_bench.run())
    if args.only in (None, "sync"):
        try:
            sync_bench = importlib.import_module("tests.bench.sync_bench")
        except ModuleNotFoundError:
            print("\n## sync: not built yet")
        else:
            print("\n## sync and central service")
            rows = sync_bench.run(progress=lambda m: print(m, file=sys.stderr, flush=True))
            sync_bench.print_rows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
