"""The overview at city scale in headless Chromium, on PostgreSQL: 300 kiosks in 30 districts
with 90 days of history. A city administrator finds the faulty kiosk at the top, filters and
searches, settles a conflict with a password sign-in; a viewer cannot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from kiosk.clock import ManualClock
from tests.fixtures.central import START, Central, start_central
from tests.fleet.cityfleet import CityFleet, seed_city
from tests.fleet.conftest import SHOTS, staff_account
from tests.fleet.fleetdata import Journal, put_catalog
from tests.postgres import PostgresServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def city(postgres: PostgresServer) -> Iterator[tuple[Central, CityFleet]]:
    name = postgres.create_database()
    central = start_central(postgres.url(name), ManualClock(START))
    fleet = seed_city(central)
    put_catalog(central, ["3101000000"], ["2100000001", "2100000002"])
    first, second = Journal(fleet.apis[fleet.backlog]), Journal(fleet.apis[fleet.faulty])
    first.add("checkout", "3101000000", "2100000001", START - timedelta(hours=3))
    second.add("checkout", "3101000000", "2100000002", START - timedelta(hours=1), "offline")
    first.push()
    assert second.push()[0]["status"] == "conflict"
    yield central, fleet
    central.server.stop()
    central.engine.dispose()
    postgres.drop_database(name)


def _sign_in(page: Any, central: Central, name: str, role: str) -> None:
    username, password = staff_account(central, name, role)
    page.goto(central.url + "/dashboard")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button.primary")
    page.wait_for_url(central.url + "/dashboard")


def _rows(page: Any) -> list[str]:
    return page.eval_on_selector_all("tr[data-kiosk]", "rows => rows.map(r => r.dataset.kiosk)")


def test_a_city_administrator_finds_the_faulty_kiosk_filters_and_settles_a_conflict(
    city: tuple[Central, CityFleet], chromium: Any
) -> None:
    central, fleet = city
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page()
    _sign_in(page, central, "li.gong", "administrator")
    rows = _rows(page)
    assert len(rows) == 300
    assert rows[0] == fleet.faulty  # first, though its name sorts last
    assert rows[1:4] == [k for k in rows[1:4] if k in fleet.offline] and set(rows[1:4]) == set(
        fleet.offline
    )
    box = page.locator(f'tr[data-kiosk="{fleet.faulty}"]').bounding_box()
    assert box is not None and box["y"] + box["height"] < 900  # in the first screenful
    assert "printer: paper_out" in page.inner_text(f'tr[data-kiosk="{fleet.faulty}"]')
    page.screenshot(path=str(SHOTS / "city-overview.png"))
    assert "(Asia/Shanghai)" in page.inner_text("footer")

    # The counts at the top filter the table.
    page.click('a[data-count="offline"]')
    page.wait_for_url("**/dashboard?state=offline")
    assert sorted(_rows(page)) == sorted(fleet.offline)
    # A district from the form, then a search within it.
    district = fleet.district_of_kiosk[fleet.faulty]
    page.goto(central.url + "/dashboard")
    page.select_option('select[name="district"]', district)
    page.click("form.filters button.primary")
    page.wait_for_url("**/dashboard?**")
    in_district = _rows(page)
    assert len(in_district) == 10 and in_district[0] == fleet.faulty
    assert all(fleet.district_of_kiosk[k] == district for k in in_district)
    page.fill('input[name="q"]', fleet.faulty[-3:])
    page.click("form.filters button.primary")
    page.wait_for_load_state()
    assert _rows(page) == [fleet.faulty]
    page.screenshot(path=str(SHOTS / "city-filtered.png"))
    page.click(f"text={fleet.faulty}")
    page.wait_for_url(f"**/dashboard/kiosks/{fleet.faulty}")
    assert "paper_out" in page.inner_text("#faults")

    # Settling the conflict from the page.
    page.click("header nav >> text=待处理冲突")
    page.wait_for_url("**/dashboard/conflicts")
    row = page.locator("tr[data-conflict]")
    assert row.count() == 1
    page.fill("tr[data-conflict] input[name=note]", "核对监控：第二位读者拿着书，第一笔借阅作废")
    page.screenshot(path=str(SHOTS / "city-conflicts-admin.png"), full_page=True)
    page.click("tr[data-conflict] button[value=apply]")
    page.wait_for_url("**/dashboard/conflicts?settled=*")
    assert page.locator("tr[data-conflict]").count() == 0
    assert "已处理冲突" in page.inner_text("#settled")
    record = central.staff.get("/conflicts", open="false").json()[0]
    assert record["resolution"] == "applied" and record["resolved_by"] == "li.gong"


def test_a_viewer_sees_the_conflict_without_the_buttons(
    city: tuple[Central, CityFleet], chromium: Any
) -> None:
    central, _ = city
    page = chromium.new_page()
    _sign_in(page, central, "zhao.min", "viewer")
    page.goto(central.url + "/dashboard/conflicts")
    assert page.locator("tr[data-conflict]").count() == 1
    assert page.locator("tr[data-conflict] button").count() == 0
    assert "只有管理员可以处理冲突" in page.inner_text("main")
    assert "查看员" in page.inner_text("header")
    page.screenshot(path=str(SHOTS / "city-conflicts-viewer.png"), full_page=True)


def test_the_alerts_page_after_a_morning_of_faults(
    city: tuple[Central, CityFleet], chromium: Any
) -> None:
    from zoneinfo import ZoneInfo

    from sync.central.alerts import channels, engine
    from sync.central.alerts.settings import parse
    from tests.central.test_alerts import Receiver

    central, fleet = city
    robot = Receiver()
    try:
        settings = parse({"wecom_webhooks": [robot.url("/cgi-bin/webhook/send?key=k")]})
        report = engine.run_once(
            central.engine, central.clock.now(), ZoneInfo("Asia/Shanghai"), settings,
            channels.channels_for(settings), timedelta(minutes=3),
        )  # fmt: skip
        assert report is not None and report.opened >= 4  # offline x3, paper, conflict
        [message] = [r["body"]["markdown"]["content"] for r in robot.requests]
        assert fleet.faulty in message and "打印机缺纸" in message
    finally:
        robot.close()
    page = chromium.new_page()
    _sign_in(page, central, "li.gong", "administrator")
    page.goto(central.url + "/dashboard/alerts")
    rows = page.locator("tr[data-alert]")
    assert rows.count() == report.opened
    assert "打印机缺纸" in page.inner_text("#alerts") and "✓" in page.inner_text("#alerts")
    page.screenshot(path=str(SHOTS / "city-alerts.png"), full_page=True)
