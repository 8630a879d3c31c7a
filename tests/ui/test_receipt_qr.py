"""The QR "receipt" (#13): read back off the screen as a phone would, a short list or a link.

The code is decoded from the pixels of the receipt screen with zxing-cpp (an independent QR
reader used by phone apps), not from the string the kiosk meant to encode.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import zxingcpp
from PIL import Image

from kiosk.ports import Receipt, ReceiptLine
from ui.qt import QtCore
from ui.receipt_qr import MAX_LINES, receipt_qr_link, receipt_qr_text, shorten

from .test_flows import WAIT, sign_in

Qt = QtCore.Qt
TZ = ZoneInfo("Asia/Shanghai")


def read_qr_on_screen(kiosk) -> str:
    """What a phone held up to the receipt screen reads."""
    image = kiosk.window.receipt.qr.grab().toImage()  # the pixels on screen
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    found = zxingcpp.read_barcode(Image.open(io.BytesIO(bytes(buffer.data()))))
    assert found is not None and found.valid, "no QR code could be read off the screen"
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    return found.text


def borrow_and_ask_for_qr(qtbot, kiosk, piis) -> None:
    sign_in(qtbot, kiosk)
    for pii in piis:
        kiosk.events.place(pii)
    qtbot.waitUntil(lambda: len(kiosk.session.accepted) == len(piis), timeout=WAIT)
    qtbot.mouseClick(kiosk.window.borrow.finish, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.window.receipt.qr_button, Qt.MouseButton.LeftButton)
    assert kiosk.window.receipt.qr.isVisible()


def test_the_qr_receipt_is_a_short_list_a_phone_shows(qtbot, kiosk):
    borrow_and_ask_for_qr(qtbot, kiosk, ["100001", "100181"])
    lines = read_qr_on_screen(kiosk).split("\n")
    due = kiosk.session.outcomes["100001"].due_at.astimezone(TZ)
    day = f"{due.month}月{due.day}日"
    assert re.fullmatch(r"朝阳城市书房 · 借书 · \d{4}-\d\d-\d\d \d\d:\d\d", lines[0])
    assert lines[1:] == [
        f"三体 — 应还 {day}",
        f"Pride and Pre… — 应还 {day}",  # shortened to 14 characters, … included
        f"借书成功，共 2 本，请在{day}前归还。",
    ]
    text = "\n".join(lines)
    assert "P0001" not in text and "王" not in text  # nothing that names the reader
    assert len(text.encode()) < 300  # small enough to stay coarse and scan from the screen


def test_the_qr_receipt_can_be_a_link_to_the_librarys_page(qtbot, make_kiosk):
    kiosk = make_kiosk(
        receipt_qr="link",
        receipt_qr_link="https://opac.example.cn/kiosk/receipt?k={kiosk}&t={kind}&at={at}&i={items}",
    )
    borrow_and_ask_for_qr(qtbot, kiosk, ["100001", "100002"])
    url = urlsplit(read_qr_on_screen(kiosk))
    assert (url.scheme, url.netloc, url.path) == ("https", "opac.example.cn", "/kiosk/receipt")
    query = parse_qs(url.query)
    assert query["k"] == ["k1"] and query["t"] == ["checkout"]
    assert sorted(query["i"][0].split(",")) == ["100001", "100002"]
    at = datetime.strptime(query["at"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=1)
    assert "P0001" not in url.geturl()


def test_a_link_template_fills_only_its_own_fields_and_encodes_them():
    receipt = Receipt(
        "checkin", "room 3/A", "书房", datetime(2026, 12, 4, 6, 5, 12, tzinfo=UTC), "zh_CN",
        (ReceiptLine("三体", "100001"), ReceiptLine("活着", "100010")),
    )  # fmt: skip
    link = receipt_qr_link("https://lib.example/r/{kiosk}?at={at}&i={items}&x={other}", receipt)
    assert (
        link == "https://lib.example/r/room%203%2FA?at=20261204T060512Z&i=100001,100010&x={other}"
    )


def test_a_long_list_is_cut_with_a_count_and_titles_are_shortened():
    due = datetime(2026, 12, 31, 8, tzinfo=UTC)
    lines = tuple(ReceiptLine(f"Book number {n} with a long title", str(n), due) for n in range(14))
    receipt = Receipt("checkout", "k1", "Room", datetime(2026, 12, 4, tzinfo=UTC), "en", lines)
    text = receipt_qr_text(receipt, "Books borrowed: 14. Please bring them back by 31 Dec.", TZ)
    rows = text.split("\n")
    assert rows[0] == "Room · Borrowed · 2026-12-04 08:00"
    assert rows[1] == "Book number 0… — due 31 Dec"
    assert len(rows) == 1 + MAX_LINES + 2 and rows[-2] == "… and 4 more"
    assert shorten("  三体  ") == "三体" and len(shorten("x" * 40)) == 14
