"""Service efficiency over a seeded city's year (issue #17): 30 rooms of different sizes and
hours with weekly and daily rhythms (``tests/fleet/cityyear.py``), checked against values
worked out by hand from the seed's design, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync.central import efficiency
from sync.central.database import reading
from tests.fixtures.central import Central
from tests.fleet.cityyear import ROOMS, TZ, WEAK, YEAR, seed_year


@pytest.mark.slow
def test_a_citys_year_measured_by_hand_and_the_weak_rooms_flagged(central: Central) -> None:
    assert seed_year(central) == sum(469 * r.base for r in ROOMS)
    with reading(central.engine) as conn:
        found = efficiency.measure(
            conn, *YEAR, TZ, timedelta(minutes=3), central.clock.now(), flag_share=0.5
        )
    rooms = {r.branch: r for r in found.rooms}
    assert len(rooms) == 30

    # room-01: base 4 loans a weekday, 45 readers, 65 lendable + 6 idle items, 63 h a week.
    one = rooms["room-01"]
    assert (one.loans, one.readers, one.new_readers, one.visits) == (1876, 45, 45, 1876)
    assert (one.holdings, one.stale) == (71, 6)
    assert one.turnover == pytest.approx(100 * 1876 / 71)
    assert one.loans_per_open_hour == pytest.approx(1876 / (63 * 365 / 7))
    assert one.loans_per_seat == pytest.approx(1876 / 40)
    assert one.visits_counted is False and one.district == "district-1"

    # weak-1: one loan a weekday (469 a year) by 3 readers, 8 of 308 items ever lent.
    weak = rooms["weak-1"]
    assert (weak.loans, weak.readers, weak.visits) == (469, 3, 469)
    assert (weak.holdings, weak.stale) == (308, 300)
    assert weak.stale_share == pytest.approx(300 / 308)

    # room-06: base 3 + 6 % 4 = 5 loans a weekday, so 469 x 5 = 2345 in the year.
    assert rooms["room-06"].loans == 2345
    assert found.city.total["loans"] == sum(469 * r.base for r in ROOMS)

    flagged = {r.branch for r in found.rooms if r.flags}
    assert flagged == WEAK, "the flagged rooms are not the ones the seed made weak"
    for name in WEAK:
        assert rooms[name].flags == ["visits", "loans", "loans_per_open_hour", "turnover"]
    assert [r.branch for r in found.rooms][-3:] == sorted(WEAK)  # least lending last
