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
from tests.fleet.cityyear import ROOMS, TZ, WEAK, YEAR, seed_counters, seed_year


@pytest.mark.slow
def test_a_citys_year_measured_by_hand_and_the_weak_rooms_flagged(central: Central) -> None:
    assert seed_year(central) == sum(469 * r.base for r in ROOMS)
    # room-01: 5 hours x 365 days; weak-1: 261 weekdays; and each one hour after the year
    assert seed_counters(central) == 5 * 365 + 261 + 2
    with reading(central.engine) as conn:
        found = efficiency.measure(
            conn, *YEAR, TZ, timedelta(minutes=3), central.clock.now(), flag_share=0.5
        )
    rooms = {r.branch: r for r in found.rooms}
    assert len(rooms) == 30

    # room-01: base 4 loans a weekday, 45 readers, 65 lendable + 6 idle items, 63 h a week.
    one = rooms["room-01"]
    assert (one.loans, one.readers, one.new_readers) == (1876, 45, 45)
    # its door counter: 3 people in each of 5 hours a weekday, 6 at the weekend
    assert (one.visits, one.visits_counted) == (5 * 3 * (261 + 2 * 104), True) == (7035, True)
    assert (one.holdings, one.stale) == (71, 6)
    assert one.turnover == pytest.approx(100 * 1876 / 71)
    assert one.loans_per_open_hour == pytest.approx(1876 / (63 * 365 / 7))
    assert one.loans_per_seat == pytest.approx(1876 / 40)
    assert one.district == "district-1"

    # weak-1: one loan a weekday (469 a year) by 3 readers, 8 of 308 items ever lent.
    weak = rooms["weak-1"]
    assert (weak.loans, weak.readers) == (469, 3)
    assert (weak.visits, weak.visits_counted) == (261, True)  # one at noon each weekday
    assert (weak.holdings, weak.stale) == (308, 300)
    assert weak.stale_share == pytest.approx(300 / 308)

    # room-06: base 3 + 6 % 4 = 5 loans a weekday, so 469 x 5 = 2345 in the year.
    six = rooms["room-06"]  # no counter: its visits are reader-days (one loan each)
    assert (six.loans, six.visits, six.visits_counted) == (2345, 2345, False)
    assert (rooms["weak-2"].visits, rooms["weak-2"].visits_counted) == (469, False)
    assert found.city.total["visits"] == sum(469 * r.base for r in ROOMS) - 1876 - 469 + 7035 + 261
    assert found.city.total["loans"] == sum(469 * r.base for r in ROOMS)

    flagged = {r.branch for r in found.rooms if r.flags}
    assert flagged == WEAK, "the flagged rooms are not the ones the seed made weak"
    for name in WEAK:
        assert rooms[name].flags == ["visits", "loans", "loans_per_open_hour", "turnover"]
    assert [r.branch for r in found.rooms][-3:] == sorted(WEAK)  # least lending last
