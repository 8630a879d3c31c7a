"""Receipt printers: DLE EOT status that never trusts silence, raster jobs, the serial path."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import PIL
import pytest

from drivers.printer.connections import NetworkLink, SerialLink
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.fonts import FontMissing, find_receipt_fonts
from drivers.printer.layout import wrap
from drivers.printer.receipts import ReceiptRenderer
from drivers.printer.sim import SimPrinter
from drivers.printer.status import PrinterOffline, read_status
from drivers.printer.wording import CATALOG, words_for
from kiosk.ports import CoverOpen, FrameError, PaperOut, PrinterStatus
from tests.waiting import wait_until

from .escpos_emulator import PrinterModel, PtyPrinter, TcpPrinter
from .receipts import borrow_receipt, return_receipt

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def renderer() -> ReceiptRenderer:
    return ReceiptRenderer(profile="TM-T20II", timezone="Asia/Shanghai")


# --- status bytes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replies", "status"),
    [
        ({1: 0x12, 2: 0x12, 4: 0x12}, PrinterStatus.READY),
        ({1: 0x12, 2: 0x12, 4: 0x1E}, PrinterStatus.PAPER_LOW),
        ({1: 0x1A, 2: 0x32, 4: 0x72}, PrinterStatus.PAPER_OUT),
        ({1: 0x1A, 2: 0x16, 4: 0x72}, PrinterStatus.COVER_OPEN),
        ({1: 0x1A, 2: 0x52, 4: 0x12}, PrinterStatus.OFFLINE),
        ({}, PrinterStatus.OFFLINE),
        ({1: 0x12}, PrinterStatus.OFFLINE),
        ({1: 0x12, 2: 0x12}, PrinterStatus.OFFLINE),
    ],
)
def test_status_from_dle_eot_replies(replies: dict[int, int], status: PrinterStatus) -> None:
    assert read_status(replies.get) is status


def test_a_reply_without_the_fixed_status_bits_is_a_frame_error() -> None:
    with pytest.raises(FrameError):
        read_status({1: 0xFF}.get)


# --- the serial path against the pty emulator -----------------------------------------------


def serial_printer(pty: PtyPrinter, renderer: ReceiptRenderer) -> EscposPrinter:
    return EscposPrinter(SerialLink(pty.path, baud=19200), renderer=renderer, status_timeout=0.2)


def test_serial_printer_prints_exactly_the_receipt_job(renderer: ReceiptRenderer) -> None:
    receipt = borrow_receipt("zh_CN", count=2)
    with PtyPrinter() as pty:
        printer = serial_printer(pty, renderer)
        printer.open()
        assert printer.status() is PrinterStatus.READY
        printer.print_receipt(receipt)
        expected = renderer.job(receipt).escpos
        wait_until(lambda: len(pty.model.printed) >= len(expected))
        printer.close()
    assert bytes(pty.model.printed) == expected
    assert pty.model.status_queries[:3] == [1, 2, 4]


@pytest.mark.parametrize(
    ("switch", "status", "error"),
    [
        ("paper_out", PrinterStatus.PAPER_OUT, PaperOut),
        ("cover_open", PrinterStatus.COVER_OPEN, CoverOpen),
        ("silent", PrinterStatus.OFFLINE, PrinterOffline),
    ],
)
def test_serial_printer_refuses_to_print_into_a_printer_that_cannot(
    renderer: ReceiptRenderer, switch: str, status: PrinterStatus, error: type[Exception]
) -> None:
    model = PrinterModel(**{switch: True})
    with PtyPrinter(model) as pty:
        printer = serial_printer(pty, renderer)
        printer.open()
        assert printer.status() is status
        with pytest.raises(error):
            printer.print_receipt(borrow_receipt("en", count=1))
        printer.close()
    assert bytes(model.printed) == b""


def test_regression_a_silent_printer_does_not_read_as_having_paper(
    renderer: ReceiptRenderer,
) -> None:
    """Regression: python-escpos paper_status() says 'adequate' when no byte comes back."""
    with PtyPrinter(PrinterModel(silent=True)) as pty:
        printer = serial_printer(pty, renderer)
        printer.open()
        assert printer.status() is PrinterStatus.OFFLINE
        printer.close()


def test_serial_printer_with_low_paper_still_prints(renderer: ReceiptRenderer) -> None:
    with PtyPrinter(PrinterModel(paper_low=True)) as pty:
        printer = serial_printer(pty, renderer)
        printer.open()
        assert printer.status() is PrinterStatus.PAPER_LOW
        printer.print_receipt(borrow_receipt("en", count=1))
        wait_until(lambda: len(pty.model.printed) > 1000)
        printer.close()


def test_garbage_status_is_unknown_and_printing_refuses_it(renderer: ReceiptRenderer) -> None:
    with PtyPrinter(PrinterModel(garbage=True)) as pty:
        printer = serial_printer(pty, renderer)
        printer.open()
        assert printer.status() is PrinterStatus.UNKNOWN
        with pytest.raises(FrameError):
            printer.print_receipt(borrow_receipt("en", count=1))
        printer.close()


def test_network_printer_over_tcp(renderer: ReceiptRenderer) -> None:
    receipt = return_receipt("en")
    with TcpPrinter() as server:
        printer = EscposPrinter(NetworkLink("127.0.0.1", server.port, timeout=2), renderer=renderer)
        printer.open()
        assert printer.status() is PrinterStatus.READY
        printer.print_receipt(receipt)
        expected = renderer.job(receipt).escpos
        wait_until(lambda: len(server.model.printed) >= len(expected))
        server.model.paper_out = True
        assert printer.status() is PrinterStatus.PAPER_OUT
        printer.close()
    assert bytes(server.model.printed) == expected


# --- the simulator and the golden bytes -----------------------------------------------------


def test_sim_printer_writes_a_png_and_the_same_bytes_as_a_real_printer(
    tmp_path: Path, renderer: ReceiptRenderer
) -> None:
    receipt = borrow_receipt("zh_CN", count=2)
    sim = SimPrinter(tmp_path / "receipts", renderer=renderer)
    sim.open()
    sim.print_receipt(receipt)
    printed = sim.printed[0]
    assert printed.png is not None and printed.png.read_bytes().startswith(b"\x89PNG")
    assert printed.escpos is not None
    assert printed.escpos.read_bytes() == renderer.job(receipt).escpos
    assert printed.png.name == "0001-checkout-20261124T063000.png"


@pytest.mark.parametrize(
    ("name", "receipt"),
    [("checkout_zh_CN", borrow_receipt("zh_CN", 3)), ("checkin_en", return_receipt("en"))],
)
def test_golden_receipt_bytes(name: str, receipt: object, renderer: ReceiptRenderer) -> None:
    fonts = find_receipt_fonts()
    fingerprint = (
        f"font {Path(fonts.regular.path).name} "
        f"{hashlib.sha256(Path(fonts.regular.path).read_bytes()).hexdigest()[:16]} "
        f"pillow {PIL.__version__.split('.')[0]}"
    )
    job = renderer.job(receipt)  # type: ignore[arg-type]
    golden = GOLDEN / f"{name}.escpos"
    recorded = GOLDEN / "fingerprint.txt"
    if os.environ.get("SHUFANG_REGEN_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(job.escpos)
        job.image.save(GOLDEN / f"{name}.png")
        recorded.write_text(fingerprint + "\n")
    if recorded.read_text().strip() != fingerprint:
        pytest.skip(
            f"goldens were made with {recorded.read_text().strip()}, this machine has "
            f"{fingerprint}; regenerate with SHUFANG_REGEN_GOLDEN=1 after checking the PNGs"
        )
    assert hashlib.sha256(job.escpos).hexdigest() == hashlib.sha256(golden.read_bytes()).hexdigest()


def test_rendering_is_deterministic_and_starts_and_ends_like_a_print_job(
    renderer: ReceiptRenderer,
) -> None:
    first = renderer.job(borrow_receipt("zh_CN", 2)).escpos
    second = renderer.job(borrow_receipt("zh_CN", 2)).escpos
    assert first == second
    assert first.startswith(b"\x1b@\x1dv0\x00\x48\x00")  # init, GS v 0, 72 bytes = 576 dots
    assert first.endswith(b"\x1dV\x00") or b"\x1dV" in first[-8:]


# --- fonts, wording, wrapping ------------------------------------------------------------------


def test_a_configured_font_that_cannot_draw_chinese_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FontMissing, match="cannot draw Chinese"):
        find_receipt_fonts(str(tmp_path / "missing.ttf"))
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if dejavu.is_file():
        with pytest.raises(FontMissing):
            find_receipt_fonts(str(dejavu))


def test_the_simplified_chinese_face_is_chosen_from_the_collection() -> None:
    fonts = find_receipt_fonts()
    assert fonts.regular.load(20).getname()[0] == "Noto Sans CJK SC"


def test_every_language_has_every_title_and_outcome() -> None:
    languages = list(CATALOG.values())
    for words in languages:
        assert set(words.titles) == {"checkout", "checkin", "renew"}
        assert set(words.outcomes) == set(languages[0].outcomes)
    assert words_for("zh") is CATALOG["zh_CN"]
    assert words_for("en_US") is CATALOG["en"]
    assert words_for("fr") is CATALOG["zh_CN"]


def test_wrapping_breaks_chinese_anywhere_and_english_between_words() -> None:
    font = find_receipt_fonts().regular.load(24)
    lines = wrap("The Very Hungry Caterpillar and friends", font, 200)
    assert all(font.getlength(line) <= 200 for line in lines)
    assert " ".join(lines) == "The Very Hungry Caterpillar and friends"
    chinese = wrap("活着余华作品精装纪念版附赠书签", font, 120)
    assert "".join(chinese) == "活着余华作品精装纪念版附赠书签"
    assert len(chinese) > 1


def test_the_library_systems_print_lines_go_on_the_receipt():
    """SIP2 AG print lines for an item are printed under it."""
    from dataclasses import replace

    from drivers.printer.fonts import find_receipt_fonts
    from drivers.printer.layout import render_receipt
    from tests.devices.receipts import borrow_receipt

    plain = borrow_receipt("en", count=1)
    noted = replace(
        plain,
        lines=(
            replace(
                plain.lines[0], notes=("Return to Chaoyang branch", "Fine-free week until 30 Nov")
            ),
        ),
    )
    fonts = find_receipt_fonts()
    assert render_receipt(noted, fonts).height > render_receipt(plain, fonts).height + 40


def test_a_return_receipt_names_the_room_a_rotation_plan_sends_a_book_to(
    renderer: ReceiptRenderer,
) -> None:
    """Issue #17: the line of a book for another room says where it goes (one more line)."""
    plain = return_receipt("zh_CN")
    first, *rest = plain.lines
    moving = replace(plain, lines=(replace(first, send_to_room="城西书房"), *rest))
    before, after = renderer.job(plain).image, renderer.job(moving).image
    assert after.height > before.height
    shots = os.environ.get("SHUFANG_SCREENSHOTS")
    if shots:
        after.save(Path(shots) / "receipt-rotation.png")
