"""The rotation pages in headless Chromium: a technician proposes and makes a plan, follows
its progress and prints the pick list (screenshots; Chinese must render as Chinese)."""

from __future__ import annotations

from tests.fixtures.central import Central, txn
from tests.fleet.conftest import SHOTS, SignedInPage
from tests.fleet.rotationdata import boxed, seed


def test_a_technician_makes_a_plan_and_prints_its_pick_list(
    sqlite_central: Central, signed_in_page: SignedInPage
) -> None:
    central = sqlite_central
    seed(central)
    page = signed_in_page(central, "/dashboard/rotation", "li.tech", "technician")
    page.click("#suggest button.primary")
    page.wait_for_url("**/dashboard/rotation?suggest=1**")
    assert page.locator("#suggestions tbody tr").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "rotation-suggestions.png"), full_page=True)
    page.select_option("#propose select[name=source]", "main")
    page.select_option("#propose select[name=to]", "west")
    page.fill("#propose input[name=clc]", "I")
    page.click("#propose button.primary")
    page.wait_for_url("**/dashboard/rotation?source=main**")
    assert page.locator("#proposal tbody tr").count() == 5
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "rotation-proposal.png"), full_page=True)
    page.fill("input[name=note]", "十二月批次")
    page.click("#make button.primary")
    page.wait_for_url("**/dashboard/rotation/1?made=1")
    assert "借还机下次同步后" in page.inner_text("#made")

    # One planned book is borrowed, one comes back through the room's kiosk: in transit.
    kiosk = central.enrol("k-main2", "main")
    kiosk.push(txn(1, "checkout", "31001"), boxed(txn(2, "checkin", "31002")))
    page.reload()
    counts = {
        state: int(page.inner_text(f'.rot-counts li[data-state="{state}"] strong'))
        for state in ("on_shelf", "on_loan", "in_transit", "arrived")
    }
    assert counts == {"on_shelf": 3, "on_loan": 1, "in_transit": 1, "arrived": 0}
    assert page.locator("svg.progress rect").count() == 3
    page.screenshot(path=str(SHOTS / "rotation-plan.png"), full_page=True)

    page.click("#picklist")
    page.wait_for_url("**/dashboard/rotation/1/picklist")
    calls = page.eval_on_selector_all("#pick td.call", "cells => cells.map(c => c.textContent)")
    assert calls == ["I207.2/5", "I210.6/1", "I246.5/27"]
    assert page.locator("#on-loan tr").count() == 1
    page.screenshot(path=str(SHOTS / "rotation-picklist.png"), full_page=True)
    pdf = page.pdf(format="A4")  # what staff print from the browser
    assert pdf.startswith(b"%PDF")
    (SHOTS / "rotation-picklist.pdf").write_bytes(pdf)

    page.go_back()
    page.click("#mark-picked")
    page.wait_for_url("**/dashboard/rotation/1?moved=3")
    page.goto(central.url + "/dashboard/rotation")
    assert page.locator('tr[data-plan="1"] svg.progress rect').count() == 2
    page.screenshot(path=str(SHOTS / "rotation-plans.png"), full_page=True)
