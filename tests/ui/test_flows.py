"""The reader's flows through the real widgets: borrow, return, account, receipts, timeouts."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.models import CardKind, ItemStatus, Rotation
from kiosk.ports import PaperOut, TagRemoved
from kiosk.reasons import Reason
from ui.qt import QtCore, QtGui, QtWidgets
from ui.session import Mode

Qt = QtCore.Qt
WAIT = 5000


def visible_texts(widget: QtWidgets.QWidget) -> str:
    texts = [w.text() for w in widget.findChildren(QtWidgets.QLabel) if w.isVisible()]
    texts += [w.text() for w in widget.findChildren(QtWidgets.QLineEdit)]
    return "\n".join(texts)


def type_on_keypad(qtbot, kiosk, digits: str) -> None:
    keypad = kiosk.window.identify.keypad
    keys = {b.text(): b for b in keypad.findChildren(QtWidgets.QPushButton)}
    for digit in digits:
        qtbot.mouseClick(keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(keypad.ok_button, Qt.MouseButton.LeftButton)


def sign_in(qtbot, kiosk, card="P0001", pin="1234", mode=Mode.BORROW):
    kiosk.begin(mode)
    qtbot.mouseClick(kiosk.window.identify.type_card, Qt.MouseButton.LeftButton)
    kiosk.window.identify.field.setText(card)  # card numbers carry a letter: typed as scanned
    qtbot.mouseClick(kiosk.window.identify.keypad.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.window.identify.stage == "pin", timeout=WAIT)
    type_on_keypad(qtbot, kiosk, pin)
    target = "borrow" if mode is Mode.BORROW else "account"
    qtbot.waitUntil(lambda: kiosk.window.current() == target, timeout=WAIT)


def core_of(probe):
    return probe.cores[0]


def test_core_runs_on_a_worker_thread_not_the_ui_thread(qtbot, kiosk, probe):
    qtbot.waitUntil(lambda: bool(probe.threads), timeout=WAIT)
    assert probe.threads == ["core-worker"]


def test_borrow_flow_from_card_to_goodbye(qtbot, kiosk, probe):
    sign_in(qtbot, kiosk)
    assert "王*" in kiosk.window.borrow.subtitle.text()
    kiosk.events.place("100001")
    kiosk.events.place("300003")  # reference: not for loan
    kiosk.events.place("300001", frozenset({1}))  # set with a part missing
    rows = kiosk.window.borrow.list.rows
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 3, timeout=WAIT)
    assert rows["100001"].property("tone") == "ok" and "应还日期" in rows["100001"].detail.text()
    assert rows["300003"].detail.text() == kiosk.t("reason.not_for_loan")
    assert "还缺第 2 件" in rows["300001"].detail.text()
    kiosk.events.place("300001", frozenset({1, 2}))  # the reader adds the CD
    qtbot.waitUntil(lambda: kiosk.session.outcomes["300001"].ok, timeout=WAIT)
    tally = kiosk.window.borrow.tally
    assert tally.text() == "本次已借 2 本"
    # the count is main text in the ink colour, not a small grey footnote
    assert tally.font().pixelSize() == kiosk.window.scale.body and tally.font().bold()
    assert tally.palette().color(tally.foregroundRole()).name() == kiosk.window.palette_.ink.lower()
    qtbot.mouseClick(kiosk.window.borrow.finish, Qt.MouseButton.LeftButton)
    assert kiosk.window.current() == "receipt"
    qtbot.mouseClick(kiosk.window.receipt.none_button, Qt.MouseButton.LeftButton)
    assert kiosk.window.current() == "goodbye"
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)
    assert "王*" not in visible_texts(kiosk.window) and "三体" not in visible_texts(kiosk.window)
    store = core_of(probe).store
    assert store.loans.get("100001").patron_card == "P0001"
    assert store.journal.get(store.loans.get("100001").txn_id).security.value == "done"


def test_wrong_pin_says_how_many_tries_are_left(qtbot, kiosk):
    kiosk.begin(Mode.BORROW)
    kiosk.events.scan("P0002")
    qtbot.waitUntil(lambda: kiosk.window.identify.stage == "pin", timeout=WAIT)
    type_on_keypad(qtbot, kiosk, "9999")
    qtbot.waitUntil(lambda: "还可以再试 2 次" in kiosk.window.identify.message.text(), timeout=WAIT)
    assert kiosk.window.identify.field.text() == ""  # the wrong PIN is not left on screen


def test_lost_card_gets_a_kind_clear_message(qtbot, kiosk):
    kiosk.events.tap("P0091", CardKind.NFC)  # tapping a card at home starts borrowing
    expected = kiosk.t("reason.card_lost")
    qtbot.waitUntil(lambda: kiosk.window.identify.message.text() == expected, timeout=WAIT)
    assert kiosk.window.identify.message.isVisible()
    assert kiosk.window.identify.message.property("tone") == "error"


def test_blocked_reader_sees_why_and_items_are_refused(qtbot, kiosk):
    kiosk.events.tap("P0092", CardKind.NFC)
    qtbot.waitUntil(lambda: kiosk.window.current() == "borrow", timeout=WAIT)
    assert kiosk.window.borrow.message.text() == kiosk.t("reason.fines_too_high")
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    assert kiosk.session.outcomes["100001"].reason is Reason.FINES_TOO_HIGH


def test_a_blocked_reader_is_not_invited_to_borrow(qtbot, kiosk):
    """Regression (#13 bug 4): an expired card or unpaid fines still opened the borrow screen
    with 请把要借的书放在感应区上; now it says why and what the reader can still do."""
    for card, reason in (("P0090", "reason.card_expired"), ("P0092", "reason.fines_too_high")):
        kiosk.begin(Mode.BORROW)
        kiosk.events.tap(card, CardKind.NFC)
        qtbot.waitUntil(lambda: kiosk.window.current() == "borrow", timeout=WAIT)
        texts = visible_texts(kiosk.window.borrow)
        assert kiosk.t("borrow.place_items") not in texts
        assert kiosk.t("borrow.blocked_help") in texts
        assert kiosk.window.borrow.message.text() == kiosk.t(reason)
        kiosk.end_session()
        qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)


def test_three_wrong_pins_lock_the_reader_for_an_nfc_tap_too(qtbot, kiosk):
    """Regression (#13 bug 4): after three wrong PINs an NFC tap of the same card signed in."""
    kiosk.begin(Mode.BORROW)
    qtbot.mouseClick(kiosk.window.identify.type_card, Qt.MouseButton.LeftButton)
    kiosk.window.identify.field.setText("P0001")
    qtbot.mouseClick(kiosk.window.identify.keypad.ok_button, Qt.MouseButton.LeftButton)
    for _ in range(3):
        qtbot.waitUntil(lambda: kiosk.window.identify.stage == "pin", timeout=WAIT)
        type_on_keypad(qtbot, kiosk, "9999")
    locked = kiosk.t("reason.pin_locked").split("{")[0]
    qtbot.waitUntil(lambda: locked in visible_texts(kiosk.window.identify), timeout=WAIT)
    kiosk.end_session()
    kiosk.begin(Mode.BORROW)
    kiosk.events.tap("P0001", CardKind.NFC)
    qtbot.waitUntil(lambda: locked in visible_texts(kiosk.window.identify), timeout=WAIT)
    assert kiosk.window.current() == "identify" and kiosk.session.patron is None


def test_items_already_on_the_pad_are_processed_after_sign_in(qtbot, kiosk):
    kiosk.events.place("100001")  # placed at the home screen, before choosing
    assert kiosk.window.current() == "home" and not kiosk.session.outcomes
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    assert kiosk.session.outcomes["100001"].ok


def test_return_flow_with_transfer_and_hold_messages(qtbot, kiosk, probe):
    played: list[str] = []
    kiosk.sounds.enabled, kiosk.sounds.player = True, played.append
    kiosk.sounds.paths = {cue: cue for cue in ("ok", "problem", "look")}
    sign_in(qtbot, kiosk)
    kiosk.events.place("100003")  # copy owned by the central branch
    qtbot.waitUntil(lambda: "100003" in kiosk.session.outcomes, timeout=WAIT)
    kiosk.end_session()
    kiosk.events.remove("100003")
    kiosk.begin(Mode.RETURN)
    kiosk.events.scan("100003")
    kiosk.events.scan("100004")  # not on loan, but reserved: goes to the holds shelf
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 2, timeout=WAIT)
    rows = kiosk.window.give_back.list.rows
    assert kiosk.t("reason.send_to_owner") in rows["100003"].detail.text()
    assert kiosk.t("reason.hold_waiting") in rows["100004"].detail.text()
    # both worked: green like any return, not the amber of a problem (#13 bug 5)
    assert [rows[p].property("tone") for p in ("100003", "100004")] == ["ok", "ok"]
    # ...and heard as "done, now read the screen", neither the plain done nor a failure
    assert played == ["ok", "look", "look"]
    assert core_of(probe).store.items.get("100003").status is ItemStatus.IN_TRANSIT


def test_renew_selected_waits_for_a_tick_and_a_ticked_box_shows_a_tick(qtbot, kiosk):
    """Regression (#13 bug 5): 续借所选 with nothing ticked did nothing, and a ticked box was
    a plain filled square with no tick in it."""
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: len(kiosk.session.accepted) == 1, timeout=WAIT)
    kiosk.end_session()
    sign_in(qtbot, kiosk, mode=Mode.ACCOUNT)
    account = kiosk.window.account
    assert not account.renew_selected.isEnabled()
    assert account.renew_selected.text() == kiosk.t("account.tick_first")
    box = account.checks["100001"]
    before = box.grab().toImage()
    box.setChecked(True)
    assert account.renew_selected.isEnabled()
    assert account.renew_selected.text() == kiosk.t("account.renew_selected")
    after = box.grab().toImage()
    fill = QtGui.QColor(kiosk.window.palette_.primary)
    ink = QtGui.QColor(kiosk.window.palette_.primary_ink)

    def near(image, x, y, colour):
        c = image.pixelColor(x, y)
        return (
            max(
                abs(c.red() - colour.red()),
                abs(c.green() - colour.green()),
                abs(c.blue() - colour.blue()),
            )
            < 48
        )

    spots = [
        (x, y)
        for x in range(after.width())
        for y in range(after.height())
        if near(after, x, y, fill)
    ]
    assert len(spots) > 200  # the ticked box is filled
    xs, ys = [x for x, _ in spots], [y for _, y in spots]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    inner = [
        (x, y)
        for x in range(left + (right - left) // 5, right - (right - left) // 5)
        for y in range(top + (bottom - top) // 5, bottom - (bottom - top) // 5)
    ]
    assert sum(near(after, x, y, ink) for x, y in inner) > 30  # and a tick is drawn in it
    assert before != after


def test_account_lists_loans_and_renews_all(qtbot, kiosk):
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    kiosk.events.place("300002")  # a DVD: one renewal
    qtbot.waitUntil(lambda: len(kiosk.session.accepted) == 2, timeout=WAIT)
    kiosk.end_session()
    sign_in(qtbot, kiosk, mode=Mode.ACCOUNT)
    account = kiosk.window.account
    assert set(account.list.rows) == {"100001", "300002"}
    qtbot.mouseClick(account.renew_everything, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(account.results) == 2, timeout=WAIT)
    assert all(r.ok for r in account.results.values())
    qtbot.mouseClick(account.renew_everything, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not account.results["300002"].ok, timeout=WAIT)
    assert account.results["300002"].reason is Reason.RENEWAL_LIMIT
    assert kiosk.t("reason.renewal_limit") in account.list.rows["300002"].detail.text()


def test_already_yours_offers_renewal(qtbot, kiosk):
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    kiosk.events.remove("100001")
    kiosk.end_session()
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    row = kiosk.window.borrow.list.rows["100001"]
    (renew,) = row.findChildren(QtWidgets.QPushButton)
    qtbot.mouseClick(renew, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.session.outcomes["100001"].ok, timeout=WAIT)


class BrokenPad:
    def __init__(self):
        self.calls = 0

    def secure(self, uid, on_loan):
        self.calls += 1
        raise TagRemoved("tag left the field")


def test_failed_tag_write_asks_to_place_again_and_cancels(qtbot, make_kiosk, probe):
    pad = BrokenPad()
    kiosk = make_kiosk(security=pad)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001", None, b"\xe0\x04\x01\x00\x00\x00\x00\x01")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    assert kiosk.session.outcomes["100001"].reason is Reason.SECURITY_FAILED
    assert kiosk.window.borrow.list.rows["100001"].detail.text() == kiosk.t(
        "reason.security_failed"
    )
    assert pad.calls == 3
    store = core_of(probe).store
    assert store.loans.get("100001") is None
    assert [f.code for f in store.faults.recent()] == ["security_write_failed"]


class Printer:
    def __init__(self, fail=False):
        self.fail = fail
        self.printed = []

    def print_receipt(self, receipt):
        if self.fail:
            raise PaperOut("paper out")
        self.printed.append(receipt)


def test_printed_receipt_carries_the_loans(qtbot, make_kiosk):
    printer = Printer()
    kiosk = make_kiosk(printer=printer)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.finish()
    qtbot.mouseClick(kiosk.window.receipt.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.window.current() == "goodbye", timeout=WAIT)
    (receipt,) = printer.printed
    assert [line.title for line in receipt.lines] == ["三体"] and receipt.lines[0].due_at


def test_printer_out_of_paper_offers_the_qr_code(qtbot, make_kiosk):
    kiosk = make_kiosk(printer=Printer(fail=True))
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.finish()
    kiosk.receipt_chosen("print")
    qtbot.waitUntil(lambda: kiosk.window.receipt.qr.isVisible(), timeout=WAIT)
    assert kiosk.window.receipt.message.text() == kiosk.t("receipt.printer_problem")
    assert not kiosk.window.receipt.qr.pixmap().isNull()
    # the question is answered: the title says what to do now, in the chosen language too
    assert kiosk.window.receipt.title.text() == kiosk.t("receipt.qr_title")
    qtbot.mouseClick(kiosk.window.header.language_button, Qt.MouseButton.LeftButton)
    assert kiosk.window.receipt.title.text() == "Scan this code with your phone"


def test_idle_timeout_counts_down_then_clears_everything(qtbot, make_kiosk):
    kiosk = make_kiosk(idle_timeout_s=2, idle_countdown_s=1)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    qtbot.waitUntil(lambda: kiosk.window.idle.isVisible(), timeout=WAIT)
    assert "秒后返回首页" in kiosk.window.idle.countdown.text()
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)
    assert kiosk.session.patron is None
    assert not kiosk.window.borrow.list.rows and kiosk.window.borrow.initials == ""
    assert "王*" not in visible_texts(kiosk.window)


def test_continue_keeps_the_session(qtbot, make_kiosk):
    kiosk = make_kiosk(idle_timeout_s=2, idle_countdown_s=2)
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.window.idle.isVisible(), timeout=WAIT)
    qtbot.mouseClick(kiosk.window.idle.continue_button, Qt.MouseButton.LeftButton)
    assert not kiosk.window.idle.isVisible() and kiosk.window.current() == "borrow"


def test_language_switch_changes_every_screen_and_resets_after_session(qtbot, kiosk):
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    qtbot.mouseClick(kiosk.window.header.language_button, Qt.MouseButton.LeftButton)
    assert kiosk.window.borrow.title.text() == "Borrow"
    assert kiosk.window.borrow.list.rows["100001"].detail.text().startswith("Due ")
    assert kiosk.window.header.language_button.text() == "中文"
    kiosk.end_session()
    assert kiosk.window.home.borrow_button.word.text() == "借书"


def test_large_text_makes_text_larger(qtbot, kiosk):
    before = kiosk.window.home.title.font().pixelSize()
    qtbot.mouseClick(kiosk.window.header.text_button, Qt.MouseButton.LeftButton)
    assert kiosk.window.home.title.font().pixelSize() >= before * 1.25


def icon_colours(button) -> set[str]:
    image = button.icon().pixmap(button.iconSize()).toImage()
    return {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }


def test_a_switched_on_chip_draws_its_icon_in_the_ink_of_its_filled_background(qtbot, kiosk):
    """长者模式 on fills its chip with the primary colour; a dark icon on it disappeared."""
    chip, palette = kiosk.window.header.text_button, kiosk.window.palette_
    assert icon_colours(chip) == {palette.ink.lower()}
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert icon_colours(chip) == {palette.primary_ink.lower()}
    qtbot.mouseClick(kiosk.window.header.contrast_button, Qt.MouseButton.LeftButton)
    hc = kiosk.window.palette_
    assert icon_colours(chip) == {hc.primary_ink.lower()}
    assert icon_colours(kiosk.window.header.language_button) == {hc.ink.lower()}


def test_touch_targets_are_at_least_15_mm(qtbot, kiosk):
    sign_in(qtbot, kiosk)
    dpi = kiosk.window.logicalDpiX()
    for button in kiosk.window.findChildren(QtWidgets.QPushButton):
        if button.isVisible():
            assert button.height() * 25.4 / dpi >= 15, button.text()


def test_offline_banner_and_offline_loans(qtbot, kiosk, probe):
    qtbot.waitUntil(lambda: bool(probe.cores), timeout=WAIT)
    kiosk.core.call(lambda core: core.set_online(False), lambda _: None)
    qtbot.waitUntil(lambda: kiosk.window.banner.isVisible(), timeout=WAIT)
    assert kiosk.window.banner.text() == kiosk.t("offline.banner")
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    assert kiosk.t("item.recorded_offline") in kiosk.window.borrow.list.rows["100001"].detail.text()


def test_header_says_connecting_until_the_daemon_has_reached_the_upstream(qtbot, kiosk, probe):
    """A kiosk that never synced must not claim 在线 (#15): the header says it is connecting,
    without the offline banner, until the sync daemon writes its first answer."""
    qtbot.waitUntil(lambda: bool(probe.cores), timeout=WAIT)
    header = kiosk.window.header
    qtbot.waitUntil(lambda: kiosk.link is None and kiosk.online, timeout=WAIT)
    assert header.network.text() == kiosk.t("header.connecting")
    assert not kiosk.window.banner.isVisible()
    kiosk.core.call(lambda core: core.set_online(True), lambda _: None)
    qtbot.waitUntil(lambda: header.network.text() == kiosk.t("header.online"), timeout=WAIT)
    kiosk.core.call(lambda core: core.set_online(False), lambda _: None)
    qtbot.waitUntil(lambda: header.network.text() == kiosk.t("header.offline"), timeout=WAIT)
    assert kiosk.window.banner.isVisible() and not kiosk.online


def test_a_book_a_rotation_plan_moves_names_its_room_on_the_row_and_the_receipt(
    qtbot, kiosk, probe, tmp_path
):
    """Issue #17: the reader is told, in plain words, which box and which room."""
    plan = Rotation("100001", "west", "城西书房", 3)
    kiosk.core.call(lambda core: core.store.rotations.set(plan), lambda _: None)
    qtbot.waitUntil(lambda: core_of(probe).store.rotations.get("100001") is not None, timeout=WAIT)
    kiosk.begin(Mode.RETURN)
    kiosk.events.scan("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    row = kiosk.window.give_back.list.rows["100001"]
    said = kiosk.t("reason.send_to_room", room="城西书房")
    assert said in row.detail.text() and "“调拨”" in said
    assert row.property("tone") == "ok"
    (line,) = kiosk.receipt().lines
    assert line.send_to_room == "城西书房" and not line.send_to_owner
    shots = Path(os.environ.get("SHUFANG_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    assert kiosk.window.grab().save(str(shots / "return-rotation.png"))


def test_out_of_service_ends_the_session_and_blocks_use(qtbot, kiosk, probe):
    sign_in(qtbot, kiosk)
    kiosk.core.call(
        lambda core: core.store.state.set_text("kiosk.out_of_service", "1"), lambda _: None
    )
    qtbot.waitUntil(lambda: kiosk.window.current() == "out_of_service", timeout=WAIT)
    kiosk.begin(Mode.BORROW)
    assert kiosk.window.current() == "out_of_service"
    kiosk.core.call(
        lambda core: core.store.state.set_text("kiosk.out_of_service", "0"), lambda _: None
    )
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)


class SlowPad:
    def __init__(self, seconds):
        self.seconds = seconds

    def secure(self, uid, on_loan):
        QtCore.QThread.msleep(int(self.seconds * 1000))


def test_a_slow_reader_does_not_freeze_the_screen(qtbot, make_kiosk):
    kiosk = make_kiosk(security=SlowPad(1.0))
    sign_in(qtbot, kiosk)
    ticks = []
    timer = QtCore.QTimer(interval=50, timeout=lambda: ticks.append(1))
    timer.start()
    kiosk.events.place("100001", None, b"\x01" * 8)
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    timer.stop()
    assert len(ticks) >= 10  # the UI thread kept running during the 1 s tag write


def test_a_garbled_tag_gets_its_own_row_and_message(qtbot, kiosk):
    kiosk.begin(Mode.RETURN)
    kiosk.events.unreadable_tag(b"\xe0\x04\x01\x00\x00\x00\x00\x09", "bad CRC")
    row = kiosk.window.give_back.list.rows["E004010000000009"]
    assert row.detail.text() == kiosk.t("reason.unknown_item")
    assert row.property("tone") == "error"


def test_a_junk_scan_is_refused_with_a_message(qtbot, kiosk):
    kiosk.begin(Mode.RETURN)
    kiosk.events.scan("#!?\x07")
    assert kiosk.window.give_back.message.text() == kiosk.t("scan.refused")
    assert not kiosk.session.outcomes


def test_a_junk_scan_on_the_card_screen_is_refused_there(qtbot, kiosk):
    kiosk.begin(Mode.BORROW)
    assert kiosk.window.current() == "identify"
    kiosk.events.scan("#!?\x07")
    assert kiosk.window.identify.message.text() == kiosk.t("scan.refused")
    assert kiosk.window.identify.stage != "pin"  # junk is no card


def test_scanning_a_library_card_at_home_starts_borrowing(qtbot, kiosk):
    kiosk.events.scan("P0001")
    qtbot.waitUntil(lambda: kiosk.window.identify.stage == "pin", timeout=WAIT)


def test_the_newest_item_stays_in_view_on_a_long_list(qtbot, kiosk):
    """Regression: the 12th item was added below the visible part of the list."""
    sign_in(qtbot, kiosk)
    piis = [f"1000{n:02d}" for n in range(10, 40, 3)] + ["100002", "100005", "100008"]
    for pii in piis:
        kiosk.events.place(pii)
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == len(piis), timeout=WAIT)
    qtbot.wait(100)
    listing = kiosk.window.borrow.list
    newest = listing.rows[piis[-1]]
    top_left = newest.mapTo(listing.viewport(), newest.rect().topLeft())
    assert listing.viewport().rect().contains(top_left)


def test_high_contrast_recolours_everything_and_resets_for_the_next_reader(qtbot, kiosk):
    home = kiosk.window.home
    qtbot.mouseClick(kiosk.window.header.contrast_button, Qt.MouseButton.LeftButton)
    assert "#000000" in kiosk.window.styleSheet()  # black paper
    word = home.borrow_button.word
    word.ensurePolished()
    assert word.palette().color(word.foregroundRole()).name() == "#000000"  # black on yellow
    assert kiosk.window.header.contrast_button.property("on")
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.end_session()
    assert not kiosk.window.header.high_contrast and "#F6F1E7" in kiosk.window.styleSheet()
    word.ensurePolished()
    assert word.palette().color(word.foregroundRole()).name() == "#ffffff"


def test_the_library_systems_screen_message_reaches_the_reader(qtbot, kiosk):
    from kiosk.outcomes import Outcome, OutcomeKind

    kiosk.begin(Mode.RETURN)
    kiosk.window.give_back.show_outcome(
        Outcome(
            OutcomeKind.ACCEPTED,
            Reason.HOLD_WAITING,
            pii="1000003",
            details={"screen_messages": ["Please put this on the holds shelf (desk 2)"]},
        )
    )
    detail = kiosk.window.give_back.list.rows["1000003"].detail.text()
    assert detail.endswith("Please put this on the holds shelf (desk 2)")


def test_a_stack_shows_its_rows_as_read_and_is_decided_when_read_whole(qtbot, kiosk):
    # issue #18: the first row paints while the rest of the stack is still being read
    sign_in(qtbot, kiosk)
    kiosk.events.seen("100001", 1, 2)
    rows = kiosk.window.borrow.list.rows
    qtbot.waitUntil(lambda: "100001" in rows, timeout=WAIT)
    assert rows["100001"].detail.text() == kiosk.t("item.working")
    assert not kiosk.session.in_flight and not kiosk.session.outcomes  # nothing decided yet
    kiosk.events.seen("100002", 2, 2)
    kiosk.events.place("100001")
    kiosk.events.place("100002")
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 2, timeout=WAIT)
    assert rows["100001"].property("tone") == "ok"
