"""The fleet pages in headless Chromium against a live service, time moved by its clock."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from sync.central.settings import CentralSettings
from tests.fixtures.central import START, Central
from tests.fleet.conftest import SHOTS, staff_account
from tests.fleet.fleetdata import Journal, beat, demo_fleet, fault, put_catalog


class Watched:
    """A page plus everything it asked for and complained about, to check offline-ness."""

    def __init__(self, context: Any, central: Central) -> None:
        self.page = context.new_page()
        self.central = central
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def goto(self, path: str) -> None:
        self.page.goto(self.central.url + path)

    def sign_in(self) -> None:
        self.goto("/dashboard")
        assert "/dashboard/signin" in self.page.url
        username, password = staff_account(self.central)
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button.primary")
        self.page.wait_for_url(self.central.url + "/dashboard")

    def state(self, kiosk_id: str) -> str:
        return (
            self.page.locator(f'tr[data-kiosk="{kiosk_id}"] .badge').get_attribute("data-state")
            or ""
        )

    def assert_stayed_home(self) -> None:
        """Every request went to the service itself (no CDN), and nothing was blocked."""
        foreign = [u for u in self.requests if not u.startswith(self.central.url)]
        assert not foreign, foreign
        assert not self.errors, self.errors


def test_sign_in_see_a_kiosk_go_offline_then_a_fault_then_download_the_csv(
    sqlite_central: Central, chromium: Any, tmp_path: Path
) -> None:
    central = sqlite_central
    kiosk = central.enrol("dc-01", "东城书房 Dongcheng")
    put_catalog(central, ["A1", "A2"], ["21000001", "21000002"])
    journal = Journal(kiosk)
    journal.add("checkout", "A1", "21000001", START - timedelta(days=1))
    journal.add("checkout", "A2", "21000002", START - timedelta(hours=1))
    journal.add("renew", "A1", "21000001", START - timedelta(minutes=30))
    journal.push()
    beat(kiosk)
    browser = Watched(chromium, central)
    browser.sign_in()
    assert browser.page.evaluate("document.cookie") == ""  # HttpOnly: no script can read it
    assert browser.page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
    assert browser.state("dc-01") == "in_service"
    assert "正常服务" in browser.page.inner_text('tr[data-kiosk="dc-01"]')

    # Heartbeats stop; once the online window has passed the kiosk shows as offline.
    central.clock.advance(CentralSettings().online_window + timedelta(seconds=1))
    browser.page.reload()
    assert browser.state("dc-01") == "offline"
    assert "离线" in browser.page.inner_text('tr[data-kiosk="dc-01"]')

    # It comes back and reports a printer fault.
    beat(
        kiosk,
        devices={"rfid": "ready", "printer": "error"},
        faults=[fault("printer", "paper_out", central.clock.now(), message="纸卷用完")],
    )
    browser.page.reload()
    assert browser.state("dc-01") == "device_fault"
    row = browser.page.inner_text('tr[data-kiosk="dc-01"]')
    assert "外设故障" in row and "printer: paper_out" in row

    browser.page.click("text=dc-01")
    browser.page.wait_for_url("**/dashboard/kiosks/dc-01")
    timeline = browser.page.inner_text("#faults")
    assert "paper_out" in timeline and "纸卷用完" in timeline and "未清除" in timeline

    browser.page.click("header nav >> text=借还统计")
    browser.page.wait_for_url("**/dashboard/statistics")
    with browser.page.expect_download() as waiting:
        browser.page.click("#csv")
    download = waiting.value
    assert download.suggested_filename == "shufang-statistics-2026-10-26-2026-11-24.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows == [
        {
            "branch": "东城书房 Dongcheng",
            "day": "2026-11-23",
            "loans": "1",
            "returns": "0",
            "renewals": "0",
            "readers": "1",
        },
        {
            "branch": "东城书房 Dongcheng",
            "day": "2026-11-24",
            "loans": "1",
            "returns": "0",
            "renewals": "1",
            "readers": "2",
        },
    ]

    browser.page.click("text=退出")
    browser.page.wait_for_url("**/dashboard/signin")
    browser.goto("/dashboard")
    assert "/dashboard/signin" in browser.page.url
    browser.assert_stayed_home()


def test_screenshots_of_a_month_of_fleet_history(sqlite_central: Central, chromium: Any) -> None:
    """Saves the pages a manager reads to SHOTS (looked at by a person, described in the notes)."""
    fleet = demo_fleet(sqlite_central)
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser = Watched(chromium, sqlite_central)
    browser.goto("/dashboard")
    browser.page.screenshot(path=str(SHOTS / "signin.png"))
    browser.sign_in()
    assert browser.page.locator("tr[data-kiosk]").count() == len(fleet.kiosks)
    assert browser.state("xc-02") == "device_fault"
    assert browser.state("hd-03") == "offline"
    assert browser.state("dc-02") == "out_of_service"
    browser.page.screenshot(path=str(SHOTS / "fleet.png"), full_page=True)

    browser.goto("/dashboard/kiosks/xc-02?days=30")
    assert browser.page.locator("svg.strip .fault-mark").count() > 10
    browser.page.screenshot(path=str(SHOTS / "kiosk-timeline.png"), full_page=True)

    browser.goto("/dashboard/statistics")
    assert browser.page.locator("section.stats").count() == 3
    browser.page.screenshot(path=str(SHOTS / "statistics.png"), full_page=True)

    browser.goto("/dashboard/ranking?days=90")
    first = browser.page.locator("#most-faults tbody tr").first.inner_text()
    assert fleet.worst_by_faults in first
    browser.page.screenshot(path=str(SHOTS / "ranking.png"), full_page=True)

    browser.goto("/dashboard/conflicts")
    listed = browser.page.inner_text("#conflicts")
    assert "******0002" in listed
    assert "******0003" in listed and "2100000003" not in listed  # the SIP2 refusal, masked
    browser.page.screenshot(path=str(SHOTS / "conflicts.png"), full_page=True)
    browser.assert_stayed_home()
    for name in ("fleet", "kiosk-timeline", "statistics"):
        assert (SHOTS / f"{name}.png").stat().st_size > 20_000
