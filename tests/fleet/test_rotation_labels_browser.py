"""The transfer box labels (调拨箱签) in headless Chromium: one label per plan under way, the
destination room in large Chinese type, and a QR code that an independent decoder (zxing-cpp)
reads back as the plan and the room; two labels to an A4 sheet when printed."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image

from sync.central import rotation, rotation_moves
from sync.central.database import writing
from sync.central.web.boxlabels import qr_text
from tests.fixtures.central import Central
from tests.fleet.conftest import SHOTS, SignedInPage
from tests.fleet.rotationdata import seed


def test_the_labels_name_the_room_and_their_qr_codes_read_back(
    sqlite_central: Central, signed_in_page: SignedInPage
) -> None:
    central = sqlite_central
    seed(central)
    now = central.clock.now()
    with writing(central.engine) as conn:
        to_west = rotation.create_plan(conn, "main", "west", ["31001", "31002", "31003"], "t", now)
        to_main = rotation.create_plan(conn, "west", "main", ["32001"], "t", now)
        gone = rotation.create_plan(conn, "main", "west", ["31004"], "t", now)
        rotation_moves.cancel(conn, gone, "t", now)
    page = signed_in_page(central, "/dashboard/rotation", "wang.view", "viewer")  # may print
    page.click("#box-labels")
    page.wait_for_url("**/dashboard/rotation/labels")
    labels = page.locator("article.box-label")
    assert labels.count() == 2  # the cancelled plan has no box
    assert page.eval_on_selector_all(
        "article.box-label",
        "ls => ls.map(l => [l.dataset.plan, l.dataset.room,"
        " l.querySelector('.room').textContent, l.querySelector('.district').textContent,"
        " l.querySelector('.items-count strong').textContent])",
    ) == [
        [str(to_west), "west", "城西书房", "城西区 · west", "3"],
        [str(to_main), "main", "城东书房", "城东区 · main", "1"],
    ]
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "rotation-box-labels.png"), full_page=True)
    for n, (plan_id, room) in enumerate(((to_west, "west"), (to_main, "main"))):
        png = labels.nth(n).locator("svg.qr").screenshot()
        found = zxingcpp.read_barcode(Image.open(io.BytesIO(png)))
        assert found is not None and found.format == zxingcpp.BarcodeFormat.QRCode
        assert (
            found.text == qr_text(plan_id, room) == f"shufang:rotation?plan={plan_id}&room={room}"
        )
    page.emulate_media(media="print")  # as the browser prints it: the page's own chrome goes
    assert page.locator("header.top").is_hidden() and page.locator("p.crumb").is_hidden()
    assert page.locator("article.box-label footer").nth(1).is_visible()
    page.screenshot(path=str(SHOTS / "rotation-box-labels-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    (SHOTS / "rotation-box-labels.pdf").write_bytes(pdf)
    assert re.findall(rb"/Count (\d+)", pdf) == [b"1"]  # both labels on one sheet

    # one plan's own label, from its page
    page.emulate_media(media="screen")
    page.goto(central.url + f"/dashboard/rotation/{to_main}")
    page.click("#box-label")
    page.wait_for_url(f"**/dashboard/rotation/{to_main}/label")
    assert page.eval_on_selector_all("article.box-label", "ls => ls.map(l => l.dataset.plan)") == [
        str(to_main)
    ]
    page.goto(central.url + "/dashboard/rotation/labels?source=west")
    assert labels.count() == 1
    missing = page.goto(central.url + "/dashboard/rotation/999/label")
    assert missing is not None and missing.status == 404
