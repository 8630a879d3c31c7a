"""`make bench`: run every benchmark and print one table."""

from __future__ import annotations

import argparse

from tests.bench import circulation_bench


def main() -> int:
    parser = argparse.ArgumentParser(description="Shufang benchmarks")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--patrons", type=int, default=200_000)
    parser.add_argument("--operations", type=int, default=5_000)
    args = parser.parse_args()
    result = circulation_bench.run(args.items, args.patrons, args.operations)
    print(
        f"\ncirculation core: {result['items']:,} items, {result['patrons']:,} patrons "
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
    worst = max(t.p99 for t in timings[1:])
    print(f"\nworst p99 {worst:.3f} ms: {'meets' if worst < 5 else 'MISSES'} the 5 ms target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
