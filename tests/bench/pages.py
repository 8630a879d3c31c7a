"""What the central's page benches share: a real central on a real PostgreSQL started for the
run, a signed-in librarian, and the server's own time for a page (its ``Server-Timing``
header: database reads and rendering, without the network), as p50 and p95 against a target.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from kiosk.clock import ManualClock
from tests.bench.rows import Row
from tests.fixtures.central import START, start_central
from tests.fleet.conftest import staff_account
from tests.postgres import PostgresServer


@contextmanager
def postgres_central() -> Iterator[Any]:
    """A central on a fresh PostgreSQL database, its clock at the tests' ``START``."""
    server = PostgresServer()
    server.start()
    try:
        central = start_central(server.url(server.create_database()), ManualClock(START))
        try:
            yield central
        finally:
            central.server.stop()
            central.engine.dispose()
    finally:
        server.stop()


def signed_in(central: Any) -> requests.Session:
    """A browser session of a staff account, as a librarian has after signing in."""
    username, password = staff_account(central)
    web = requests.Session()
    web.post(
        central.url + "/dashboard/signin",
        data={"username": username, "password": password},
        timeout=60,
    ).raise_for_status()
    return web


def server_ms(web: requests.Session, url: str, repeats: int) -> list[float]:
    """The page's server time, ``repeats`` times after one warm-up request."""
    web.get(url, timeout=300).raise_for_status()
    samples = []
    for _ in range(repeats):
        reply = web.get(url, timeout=300)
        reply.raise_for_status()
        samples.append(float(reply.headers["Server-Timing"].split("dur=", 1)[1]))  # app;dur=12.3
    return samples


def timing_row(name: str, samples: list[float], target_p95_ms: float, note: str) -> Row:
    """p50 and p95 of the samples, with the verdict against the p95 target."""
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
    verdict = "ok" if p95 < target_p95_ms else "SLOW"
    return Row(
        name,
        len(samples),
        f"p50 {statistics.median(samples):.0f} ms  p95 {p95:.0f} ms  "
        f"(target p95 < {target_p95_ms:.0f} ms: {verdict}; {note})",
    )
