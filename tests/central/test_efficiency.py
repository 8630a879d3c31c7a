"""Service efficiency on a small seeded city, checked against values worked out by hand.

Three rooms over the week 2026-11-18..24 (local days):
- 东城书房: 40 seats, open 70 h a week, 10 volumes; six loans (A1-A6) by four readers, one
  return, one renewal, six reader-days; P1 had borrowed in the week before (so three new
  readers, and loans went from 1 to 6: +500 %); A8-A10 never borrowed.
- 西城书房: 20 seats, 35 h, 4 volumes; two loans by one reader; a door counter says 30 visits
  in the week (and 99 in an hour of the week before, which must not count).
- 国贸书房 (the business-district room): 100 seats, 70 h, 20 volumes; one loan.
City medians: loans 2, visits 6, loans per opening hour 2/35, turnover 50. 国贸 is below half
the median in visits (1 < 3), loans per opening hour (1/70 < 1/35) and turnover (5 < 25);
its loans (1) are exactly half the median, which is not below it.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from sync import wire
from sync.central import efficiency, staff_wire
from sync.central.database import reading
from tests.fixtures.central import START, Central
from tests.fleet.fleetdata import Journal

TZ = ZoneInfo("Asia/Shanghai")
WEEK = (date(2026, 11, 18), date(2026, 11, 24))


def day(d: int) -> object:
    """10:00 local on 2026-11-d (START is 2026-11-24 10:00 local)."""
    return START - timedelta(days=24 - d)


def seed(central: Central) -> None:
    rooms = [
        {"branch": "东城书房", "district": "东城区", "seats": 40, "weekly_open_hours": 70},
        {"branch": "西城书房", "district": "西城区", "seats": 20, "weekly_open_hours": 35},
        {"branch": "国贸书房", "district": "朝阳区", "seats": 100, "weekly_open_hours": 70},
    ]
    assert central.staff.put("/admin/branches", {"branches": rooms}).status_code == 200
    catalog = [
        wire.ItemRecord(pii=f"A{n}", title=f"甲{n}", branch="东城书房") for n in range(1, 11)
    ]
    catalog += [
        wire.ItemRecord(pii=f"B{n}", title=f"乙{n}", branch="西城书房") for n in range(1, 5)
    ]
    catalog += [
        wire.ItemRecord(pii=f"C{n}", title=f"丙{n}", branch="国贸书房") for n in range(1, 21)
    ]
    assert central.staff.put("/admin/items", staff_wire.ItemBatch(catalog)).status_code == 200
    cards = [wire.PatronRecord(card_id=f"P{n}") for n in range(1, 7)]
    assert central.staff.put("/admin/patrons", staff_wire.PatronBatch(cards)).status_code == 200
    a = Journal(central.enrol("dc-01", "东城书房"))
    b = Journal(central.enrol("xc-01", "西城书房"))
    c = Journal(central.enrol("gm-01", "国贸书房"))
    a.add("checkout", "A7", "P1", day(12))  # the week before
    a.add("checkout", "A1", "P1", day(18))
    a.add("checkout", "A2", "P1", day(18))
    a.add("checkout", "A3", "P2", day(19))
    a.add("checkout", "A4", "P3", day(20))
    a.add("checkin", "A1", "P1", day(20))
    a.add("renew", "A3", "P2", day(21))
    a.add("checkout", "A5", "P4", day(22))
    a.add("checkout", "A6", "P4", day(22))
    b.add("checkout", "B1", "P5", day(23))
    b.add("checkout", "B2", "P5", day(23))
    c.add("checkout", "C1", "P6", day(24))
    for journal in (a, b, c):
        assert all(r["status"] == "accepted" for r in journal.push())
    counts = [(day(d) - timedelta(hours=1), n) for d, n in ((19, 10), (20, 12), (23, 8))]
    counts.append((day(10), 99))
    visits = [{"branch": "西城书房", "hour": at.isoformat(), "count": n} for at, n in counts]
    reply = central.staff.post("/visits", {"visits": visits})
    assert reply.status_code == 200, reply.text


def test_every_measure_matches_the_hand_calculation(central: Central) -> None:
    seed(central)
    with reading(central.engine) as conn:
        found = efficiency.measure(
            conn, *WEEK, TZ, timedelta(minutes=3), central.clock.now(), flag_share=0.5
        )
    rooms = {r.branch: r for r in found.rooms}
    dc, xc, gm = rooms["东城书房"], rooms["西城书房"], rooms["国贸书房"]
    assert (dc.loans, dc.returns, dc.renewals, dc.readers, dc.new_readers) == (6, 1, 1, 4, 3)
    assert (dc.visits, dc.visits_counted) == (6, False)
    assert (dc.holdings, dc.stale) == (10, 3)
    assert dc.turnover == pytest.approx(60.0) and dc.stale_share == pytest.approx(0.3)
    assert dc.loans_per_open_hour == pytest.approx(6 / 70)
    assert dc.loans_per_seat == pytest.approx(6 / 40)
    assert dc.loans_change == pytest.approx(5.0)
    assert (xc.loans, xc.readers, xc.visits, xc.visits_counted) == (2, 1, 30, True)
    assert xc.turnover == pytest.approx(50.0)
    assert xc.loans_per_open_hour == pytest.approx(2 / 35)
    assert (gm.loans, gm.holdings, gm.stale) == (1, 20, 19)
    assert gm.stale_share == pytest.approx(0.95)
    assert [r.branch for r in found.rooms] == ["东城书房", "西城书房", "国贸书房"]
    assert [r.rank for r in found.rooms] == [1, 2, 3]
    assert found.city.total["loans"] == 9
    assert found.city.median["loans"] == 2 and found.city.median["visits"] == 6
    assert found.city.median["turnover"] == pytest.approx(50.0)
    assert gm.flags == ["visits", "loans_per_open_hour", "turnover"]
    assert dc.flags == [] and xc.flags == []
    assert gm.district == "朝阳区" and dc.seats == 40


def test_visits_are_refused_whole_when_one_is_bad(central: Central) -> None:
    bad = {"visits": [{"branch": "甲", "hour": START.isoformat(), "count": -1}]}
    assert central.staff.post("/visits", bad).status_code == 422
    assert central.as_token(None).post("/visits", {"visits": []}).status_code == 401


def test_the_efficiency_page_shows_the_rooms_with_the_weak_one_flagged(central: Central) -> None:
    from tests.fleet.conftest import signed_in

    seed(central)
    web = signed_in(central, "culture.bureau", role="viewer")
    reply = web.get(
        central.url + "/dashboard/efficiency?since=2026-11-18&until=2026-11-24", timeout=30
    )
    assert reply.status_code == 200, reply.text[:300]
    html = reply.text
    assert html.index('data-room="东城书房"') < html.index('data-room="国贸书房"')
    assert '<tr data-room="国贸书房" class="flagged">' in html
    assert "到馆人次" in html and "每开放小时借出" in html and "全市中位数" in html
    assert '<span class="n" id="flagged">1</span>' in html
    by_visits = web.get(
        central.url + "/dashboard/efficiency?since=2026-11-18&until=2026-11-24&sort=visits",
        timeout=30,
    ).text
    assert by_visits.index('data-room="西城书房"') < by_visits.index('data-room="东城书房"')
    one = web.get(
        central.url + "/dashboard/efficiency?since=2026-11-18&until=2026-11-24&district=朝阳区",
        timeout=30,
    ).text
    assert 'data-room="国贸书房"' in one and 'data-room="东城书房"' not in one


def test_the_report_as_xlsx_and_csv_from_the_command_line(
    central: Central, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """Numbers stay numbers (a director sums and charts them), headers are Chinese first."""
    import csv
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    from tests.central.test_cli import shufang

    seed(central)
    folder = Path(str(tmp_path))
    xlsx = folder / "report.xlsx"
    db = central.db_url.replace("postgresql+psycopg://", "postgresql://")
    assert shufang("central", "report", "--period", "2026-11", "--output", str(xlsx),
                   "--db", db) == 0  # fmt: skip
    book = load_workbook(xlsx)
    rooms = book["书房 Rooms"]
    headers = [c.value for c in rooms[3]]
    assert headers[:6] == ["排名 Rank", "书房 Room", "区县 District", "到馆人次 Visits",
                           "客流计数器 Counter", "借出 Loans"]  # fmt: skip
    body = {row[1]: row for row in rooms.iter_rows(min_row=4, values_only=True) if row[0]}
    assert body["东城书房"][5] == 7 and isinstance(body["东城书房"][5], int)  # A7 was in November
    # The whole month: the counter's 99 on 11-10 counts now (30 + 99).
    assert body["西城书房"][3] == 129 and body["西城书房"][4] == "是"
    assert body["国贸书房"][-1] == "到馆人次、每开放小时借出、每百册借出"
    turnover = headers.index("每百册借出 Loans/100 vols")
    assert body["东城书房"][turnover] == pytest.approx(70.0)  # a number, not text
    districts = {r[0]: r for r in book["区县 Districts"].iter_rows(min_row=2, values_only=True)}
    assert districts["朝阳区"][1] == 1 and districts["西城区"][3] == 2  # rooms, loans
    assert "客流计数器" in str(list(book["说明 Notes"].values))
    out = folder / "chaoyang.csv"
    assert shufang("central", "report", "--period", "2026-11", "--format", "csv",
                   "--district", "朝阳区", "--output", str(out), "--db", db) == 0  # fmt: skip
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["国贸书房"]
    assert shufang("central", "report", "--period", "2026-13", "--db", db) == 2
    assert "YYYY-MM or YYYY" in capsys.readouterr().err


def test_the_rollup_rebuilt_from_the_command_line_gives_the_same_measures(
    central: Central, capsys: pytest.CaptureFixture[str]
) -> None:
    """After history is loaded straight into the database (or the day tables are damaged),
    `shufang central rollup` makes them again from the ledger."""
    import sqlalchemy as sa

    from sync.central.schema import reader_days, room_days
    from tests.central.test_cli import shufang

    seed(central)

    def measured() -> list[tuple[str, int, int, int]]:
        with reading(central.engine) as conn:
            found = efficiency.measure(
                conn, *WEEK, TZ, timedelta(minutes=3), central.clock.now(), flag_share=0.5
            )
        return [(r.branch, r.loans, r.visits, r.readers) for r in found.rooms]

    before = measured()
    with central.engine.begin() as conn:
        conn.execute(sa.delete(room_days))
        conn.execute(sa.delete(reader_days))
    assert measured() != before
    db = central.db_url.replace("postgresql+psycopg://", "postgresql://")
    assert shufang("central", "rollup", "--db", db) == 0
    assert "rebuilt from 12 transaction(s)" in capsys.readouterr().out
    assert measured() == before


def test_one_rooms_page_shows_its_weeks_and_hours(central: Central) -> None:
    from sync.central import rooms

    seed(central)
    with reading(central.engine) as conn:
        found = rooms.rhythm(conn, "东城书房", *WEEK, TZ)
    # Every transaction was at 10:00 local (START's hour); the week starts Monday 11-16.
    assert found.weeks == ["2026-11-16", "2026-11-23"]
    assert found.by_week["loans"] == [6, 0] and found.by_week["returns"] == [1, 0]
    assert found.by_hour["loans"][10] == 6 and sum(found.by_hour["loans"]) == 6
    from tests.fleet.conftest import signed_in

    web = signed_in(central, "culture.bureau", role="viewer")
    html = web.get(
        central.url + "/dashboard/rooms/国贸书房?since=2026-11-18&until=2026-11-24", timeout=30
    ).text
    assert '<tr data-measure="turnover" class="flagged">' in html
    assert "一天中的借还时段" in html and html.count('class="chart"') == 2
    missing = web.get(central.url + "/dashboard/rooms/nowhere", timeout=30)
    assert missing.status_code == 404
