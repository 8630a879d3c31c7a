"""Benchmark: a 5-item stack against an ACS that takes 500 ms per message, and our overhead."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from kiosk.reasons import Reason
from sync.sip2 import messages
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.pool import Sip2Pool
from tests.sip2.conftest import make_client, small_library
from tests.sip2.library import Book, Library, RunningServer, build_app

STACK = [f"300000{n}" for n in range(5)]
ACS_DELAY_S = 0.5


@pytest.fixture
def busy_library() -> Iterator[tuple[Library, int]]:
    library = small_library()
    library.books.update({pii: Book(f"Stack book {pii}") for pii in STACK})
    running = RunningServer(build_app(library))
    running.start()
    yield library, running.port
    running.stop()


def test_a_five_item_stack_is_decided_in_under_a_second_by_a_busy_acs(
    busy_library: tuple[Library, int], capsys: pytest.CaptureFixture[str]
) -> None:
    library, port = busy_library
    library.delay_s = ACS_DELAY_S

    plain_client = make_client(port, timeout_s=5.0)
    plain_client.connect()
    plain = Sip2Upstream(plain_client, profile("standard"), budget_s=5.0)
    started = time.monotonic()
    for pii in STACK:  # plain synchronous SIP2: one item after the other
        assert plain.checkout("R0001", pii).ok
    sequential_s = time.monotonic() - started
    for pii in STACK:
        library.books[pii].borrower = None

    pool = Sip2Pool(lambda: make_client(port, timeout_s=5.0), size=len(STACK))
    pool.connect_all()  # the kiosk keeps its sessions open between readers
    kiosk = Sip2Upstream(pool, profile("standard"), budget_s=2.0)
    started = time.monotonic()
    outcomes = kiosk.checkout_stack("R0001", STACK)
    stack_s = time.monotonic() - started
    assert [o.pii for o in outcomes] == STACK and all(o.ok for o in outcomes)
    assert all(library.books[p].borrower == "R0001" for p in STACK)

    with capsys.disabled():
        print(
            f"\n5-item stack, ACS at {ACS_DELAY_S * 1000:.0f} ms/message: "
            f"one at a time {sequential_s:.2f} s, kiosk (5 sessions) {stack_s:.2f} s"
        )
    assert stack_s < 1.0
    assert sequential_s > 5 * ACS_DELAY_S
    pool.close()
    plain_client.close()


def test_the_kiosks_own_overhead_per_message_is_under_5_ms(
    busy_library: tuple[Library, int], capsys: pytest.CaptureFixture[str]
) -> None:
    _, port = busy_library
    client = make_client(port)
    upstream = Sip2Upstream(client, profile("standard"))
    client.connect()
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        upstream.item_information("1000001")
    round_trip_ms = (time.perf_counter() - started) / rounds * 1000

    # the part that is ours alone: build, encode, decode and map one checkout
    reply = messages.encode(
        messages.Message(
            "12",
            {
                "ok": "1",
                "renewal_ok": "N",
                "magnetic_media": "N",
                "desensitize": "Y",
                "transaction_date": "20261124    100000",
            },
            [
                ("AO", "CITY"),
                ("AA", "R0001"),
                ("AB", "1000001"),
                ("AJ", "三体"),
                ("AH", "20261222    235959"),
                ("AF", "Checked out"),
            ],
        ),
        charset="utf-8",
        sequence=3,
    )
    started = time.perf_counter()
    for _ in range(rounds):
        messages.encode(
            messages.request(
                "11",
                {
                    "sc_renewal_policy": "N",
                    "no_block": "N",
                    "transaction_date": "20261124    100000",
                    "nb_due_date": "20261124    100000",
                },
                ("AO", "CITY"),
                ("AA", "R0001"),
                ("AB", "1000001"),
                ("AC", ""),
            ),
            charset="utf-8",
            sequence=3,
        )
        upstream._outcome(
            messages.decode(reply, charset="utf-8"), "1000001", True, Reason.ITEM_NOT_AVAILABLE
        )
    own_ms = (time.perf_counter() - started) / rounds * 1000
    with capsys.disabled():
        print(
            f"\nper message: round trip to local pysip2 {round_trip_ms:.2f} ms, "
            f"kiosk codec+mapping {own_ms * 1000:.0f} µs"
        )
    assert round_trip_ms < 5.0
    assert own_ms < 5.0
    client.close()
