"""Checkout and checkin latency through the core on a large, durable database.

Seeds items and patrons into a real SQLite file (WAL, synchronous=FULL), then times each
operation end to end through ``Circulation`` (rules, loan write, journal row, commit). A bare
durable commit is timed in the same run so the ratio, not the noisy absolute, is the figure
to compare across machines.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.circulation import Circulation, Site
from kiosk.clock import ManualClock
from kiosk.config.loader import defaults
from kiosk.models import Item, Patron
from kiosk.policy import Policy
from kiosk.store import Store


@dataclass(frozen=True)
class Timing:
    name: str
    samples_ms: list[float]

    def percentile(self, q: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


def seed(store: Store, items: int, patrons: int, batch: int = 50_000) -> float:
    started = time.perf_counter()
    for first in range(0, items, batch):
        store.items.upsert(
            Item(
                f"{n:010d}",
                f"Title {n}",
                "Author",
                f"I{n % 1000}",
                "CN-110000-1",
                "main",
                "dvd" if n % 20 == 0 else "book",
            )
            for n in range(first, min(items, first + batch))
        )
    for first in range(0, patrons, batch):
        store.patrons.upsert(
            Patron(f"P{n:08d}", "child" if n % 10 == 0 else "adult")
            for n in range(first, min(patrons, first + batch))
        )
    return time.perf_counter() - started


def timed(name: str, calls: list[Callable[[], object]]) -> Timing:
    samples = []
    for call in calls:
        started = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return Timing(name, samples)


def bare_commits(store: Store, count: int) -> Timing:
    def commit(n: int) -> Callable[[], None]:
        return lambda: store.state.set_text("bench.counter", str(n))

    return timed("durable commit (1 row)", [commit(n) for n in range(count)])


def run(
    items: int = 1_000_000,
    patrons: int = 200_000,
    operations: int = 5_000,
    folder: Path | None = None,
    rng_seed: int = 7,
) -> dict[str, object]:
    tmp = tempfile.TemporaryDirectory(prefix="shufang-bench-") if folder is None else None
    path = Path(tmp.name if tmp else folder) / "bench.db"
    store = Store(path)
    seconds = seed(store, items, patrons)
    clock = ManualClock(datetime(2026, 11, 24, 2, tzinfo=UTC))
    circ = Circulation(
        store, Policy.from_dict(defaults().section("policy")), clock, Site(isil="CN-110000-1")
    )
    rng = random.Random(rng_seed)
    piis = [f"{n:010d}" for n in rng.sample(range(items), operations)]
    cards = [store.patrons.get(f"P{rng.randrange(patrons):08d}") for _ in range(operations)]

    def checkout(n: int) -> Callable[[], object]:
        def call() -> object:
            clock.advance(timedelta(seconds=1))
            return circ.checkout(cards[n], piis[n])

        return call

    commit = bare_commits(store, operations)
    out = timed("checkout", [checkout(n) for n in range(operations)])
    renew = timed("renew", [lambda n=n: circ.renew(cards[n], piis[n]) for n in range(operations)])
    back = timed("checkin", [lambda n=n: circ.checkin(piis[n]) for n in range(operations)])
    accepted = store.counts()["journal"]
    store.close()
    if tmp:
        tmp.cleanup()
    return {
        "items": items,
        "patrons": patrons,
        "seed_s": seconds,
        "journal_rows": accepted,
        "timings": [commit, out, renew, back],
    }
