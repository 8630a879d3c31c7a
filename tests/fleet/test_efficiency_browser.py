"""The efficiency page in headless Chromium: a director's first look (screenshot)."""

from __future__ import annotations

from tests.central.test_efficiency import seed
from tests.fixtures.central import Central
from tests.fleet.conftest import SHOTS, SignedInPage

#: The week the efficiency tests' data covers, as the page's address asks for it.
WEEK = "/dashboard/efficiency?since=2026-11-18&until=2026-11-24"


def test_a_director_reads_the_week_and_sees_the_weak_room(
    sqlite_central: Central, signed_in_page: SignedInPage
) -> None:
    central = sqlite_central
    seed(central)
    page = signed_in_page(central, WEEK, "wang.director", "viewer")
    rows = page.eval_on_selector_all("tr[data-room]", "r => r.map(x => x.dataset.room)")
    assert rows == ["东城书房", "西城书房", "国贸书房"]
    weak = page.locator('tr[data-room="国贸书房"] td.weak')
    assert weak.count() == 3
    assert "到馆人次" in page.inner_text("tr.city ~ tr, thead")
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "efficiency.png"), full_page=True)
    page.click("text=东城书房")
    page.wait_for_url("**/dashboard/rooms/**")
    assert page.locator("svg.chart").count() == 2
    page.screenshot(path=str(SHOTS / "room.png"), full_page=True)


def test_the_printable_report_and_the_downloads(
    sqlite_central: Central, signed_in_page: SignedInPage
) -> None:
    central = sqlite_central
    seed(central)
    page = signed_in_page(central, WEEK, "wang.director", "viewer")
    with page.expect_download() as waiting:
        page.click("#xlsx")
    assert waiting.value.suggested_filename == "shufang-efficiency-2026-11-18-2026-11-24.xlsx"
    page.click("#print")
    page.wait_for_url("**/dashboard/efficiency/print?**")
    assert page.locator("svg.bars rect").count() == 3
    assert page.locator("svg.bars rect.weak").count() == 1
    page.screenshot(path=str(SHOTS / "efficiency-print.png"), full_page=True)
    pdf = page.pdf(format="A4")  # what "save as PDF" gives a director
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    (SHOTS / "efficiency-print.pdf").write_bytes(pdf)
