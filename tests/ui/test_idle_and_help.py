"""The idle warning (WCAG 2.2.1) and help for a room without staff, through the real screens.

WCAG 2.2 success criterion 2.2.1 Timing Adjustable: before a time limit ends the user is
warned and given at least 20 seconds to extend it with a simple action. The idle clocks run on
QTimers; the tests shorten the quiet time and read the timers' own intervals rather than wait.
"""

from __future__ import annotations

from kiosk.models import CardKind
from ui.controller import KioskController
from ui.help import HelpPanel
from ui.qt import QtCore
from ui.session import Mode

from .test_flows import WAIT, sign_in, visible_texts

Qt = QtCore.Qt
PHONE = "010-6402 8888"
URL = "https://lib.example.cn/help"


def warn_now(qtbot, kiosk: KioskController) -> None:
    """Let the quiet time run out (it is 0 s in these tests) so the warning shows."""
    qtbot.waitUntil(lambda: kiosk.window.idle.isVisible(), timeout=WAIT)


def test_the_warning_comes_before_the_timeout_with_at_least_20_seconds(qtbot, make_kiosk):
    played = []
    kiosk = make_kiosk(idle_timeout_s=60, idle_countdown_s=20)
    kiosk.sounds.enabled, kiosk.sounds.player = True, played.append
    kiosk.sounds.paths = {"attention": "attention.wav"}
    sign_in(qtbot, kiosk)
    quiet = kiosk.idle_clock.quiet
    assert quiet.isActive() and quiet.interval() == 40_000  # warned at 40 s of 60
    kiosk.idle_clock.quiet.setInterval(0)
    kiosk.idle_clock.quiet.start()
    warn_now(qtbot, kiosk)
    idle = kiosk.window.idle
    assert idle.number.text() == "20 秒" and "20 秒后返回首页" in idle.countdown.text()
    assert idle.title.text() == "还需要更多时间吗？" and idle.continue_button.text() == "继续使用"
    assert played == ["attention.wav"]  # the warning is heard, not only seen
    # the countdown is the largest type on screen and the button at least 60 dp each way
    assert idle.number.font().pixelSize() >= 96
    size = idle.continue_button.size()
    assert size.height() >= 2 * 60 and size.width() >= 60
    assert kiosk.session.patron is not None and kiosk.window.current() == "borrow"


def test_more_time_extends_the_session_and_restarts_the_full_clock(qtbot, make_kiosk):
    kiosk = make_kiosk(idle_timeout_s=1, idle_countdown_s=1)
    sign_in(qtbot, kiosk)
    warn_now(qtbot, kiosk)
    qtbot.mouseClick(kiosk.window.idle.continue_button, Qt.MouseButton.LeftButton)
    assert not kiosk.window.idle.isVisible() and not kiosk.idle_clock.countdown.isActive()
    assert kiosk.window.current() == "borrow" and kiosk.session.patron is not None
    assert kiosk.idle_clock.quiet.isActive()  # a new quiet time, then a new warning


def test_any_touch_on_the_warning_also_extends(qtbot, make_kiosk):
    kiosk = make_kiosk(idle_timeout_s=3, idle_countdown_s=1)  # 2 s quiet, 1 s warning
    sign_in(qtbot, kiosk)
    kiosk.idle_clock.quiet.start(0)  # the quiet time is over
    warn_now(qtbot, kiosk)
    qtbot.mouseClick(kiosk.window.idle, Qt.MouseButton.LeftButton, pos=QtCore.QPoint(5, 5))
    assert not kiosk.window.idle.isVisible() and kiosk.session.patron is not None
    qtbot.wait(1200)  # longer than the countdown that was showing
    assert kiosk.session.patron is not None and kiosk.window.current() == "borrow"
    assert not kiosk.window.idle.isVisible()  # a whole new quiet time began


def test_no_reaction_goes_home_with_nothing_of_the_session_left(qtbot, make_kiosk):
    kiosk = make_kiosk(idle_timeout_s=1, idle_countdown_s=1)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    warn_now(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)
    assert not kiosk.window.idle.isVisible() and kiosk.session.patron is None
    assert not kiosk.window.borrow.list.rows
    texts = visible_texts(kiosk.window)
    assert "王*" not in texts and "三体" not in texts and "秒" not in texts


def test_elderly_mode_waits_longer_and_warns_longer(qtbot, make_kiosk):
    kiosk = make_kiosk(
        idle_timeout_s=45, idle_countdown_s=20, elderly_idle_timeout_s=90,
        elderly_idle_countdown_s=40,
    )  # fmt: skip
    sign_in(qtbot, kiosk)
    assert kiosk.idle_clock.quiet.interval() == 25_000
    qtbot.mouseClick(kiosk.window.header.text_button, Qt.MouseButton.LeftButton)  # 长者模式
    assert kiosk.window.elderly and kiosk.idle_clock.quiet.interval() == 50_000
    kiosk.idle_clock.quiet.setInterval(0)
    kiosk.idle_clock.quiet.start()
    warn_now(qtbot, kiosk)
    assert kiosk.window.idle.number.text() == "40 秒"
    assert kiosk.window.idle.number.font().pixelSize() >= 160  # elderly type scale
    kiosk.end_session()  # the next reader starts with the normal clock
    sign_in(qtbot, kiosk)
    assert not kiosk.window.elderly and kiosk.idle_clock.quiet.interval() == 25_000


def test_the_warning_speaks_english_when_english_is_chosen(qtbot, make_kiosk):
    kiosk = make_kiosk(idle_timeout_s=1, idle_countdown_s=1)
    sign_in(qtbot, kiosk)
    qtbot.mouseClick(kiosk.window.header.language_button, Qt.MouseButton.LeftButton)
    warn_now(qtbot, kiosk)
    idle = kiosk.window.idle
    assert idle.title.text() == "Need more time?" and idle.continue_button.text() == "More time"
    assert "Returning to the start in 1 s" in idle.countdown.text()


# --- no dead ends -------------------------------------------------------------------------


def help_of(screen) -> HelpPanel:
    (panel,) = screen.findChildren(HelpPanel)
    return panel


def qr_shown(panel: HelpPanel) -> bool:
    return panel.qr.isVisible() and not panel.qr.pixmap().isNull()


def test_a_card_problem_shows_the_help_phone_and_qr(qtbot, make_kiosk):
    kiosk = make_kiosk(help_phone=PHONE, help_url=URL)
    kiosk.events.tap("P0091", CardKind.NFC)  # a lost card: "请联系工作人员"
    expected = kiosk.t("reason.card_lost")
    qtbot.waitUntil(lambda: kiosk.window.identify.message.text() == expected, timeout=WAIT)
    panel = help_of(kiosk.window.identify)
    assert panel.isVisible() and PHONE in panel.phone.text() and qr_shown(panel)
    assert not panel.book_line.isVisible()  # no book in this problem
    qtbot.mouseClick(kiosk.window.header.language_button, Qt.MouseButton.LeftButton)
    assert panel.phone_label.text() == "For help, call:" and panel.phone.text() == PHONE


def test_a_book_to_give_to_staff_says_leave_it_in_the_return_box(qtbot, make_kiosk):
    kiosk = make_kiosk(help_phone=PHONE, help_url=URL)
    kiosk.begin(Mode.RETURN)
    panel = help_of(kiosk.window.give_back)
    assert not panel.isVisible()  # nothing sends the reader to staff yet
    kiosk.events.unreadable_tag(b"\xe0\x04\x01\x00\x00\x00\x00\x09", "bad CRC")
    row = kiosk.window.give_back.list.rows["E004010000000009"]
    assert "交给工作人员" in row.detail.text()
    assert panel.isVisible() and qr_shown(panel)
    assert panel.book_line.isVisible() and "放在还书箱" in panel.book_line.text()
    kiosk.end_session()
    kiosk.begin(Mode.RETURN)
    assert not help_of(kiosk.window.give_back).isVisible()


def test_a_blocked_reader_is_told_where_help_is(qtbot, make_kiosk):
    kiosk = make_kiosk(help_phone=PHONE)  # a phone, no help page: no QR code
    kiosk.events.tap("P0092", CardKind.NFC)
    qtbot.waitUntil(lambda: kiosk.window.current() == "borrow", timeout=WAIT)
    panel = help_of(kiosk.window.borrow)
    assert "工作人员" in kiosk.window.borrow.instructions.text()
    assert panel.isVisible() and PHONE in panel.phone.text() and not panel.qr.isVisible()


def test_out_of_service_says_where_help_is(qtbot, make_kiosk):
    kiosk = make_kiosk(help_url=URL)
    kiosk.core.call(
        lambda core: core.store.state.set_text("kiosk.out_of_service", "1"), lambda _: None
    )
    qtbot.waitUntil(lambda: kiosk.window.current() == "out_of_service", timeout=WAIT)
    panel = help_of(kiosk.window.out_of_service)
    assert panel.isVisible() and qr_shown(panel) and not panel.phone.isVisible()


def test_without_a_help_phone_or_page_the_texts_stay_as_they_were(qtbot, kiosk):
    kiosk.events.tap("P0091", CardKind.NFC)
    expected = kiosk.t("reason.card_lost")
    qtbot.waitUntil(lambda: kiosk.window.identify.message.text() == expected, timeout=WAIT)
    assert not any(p.isVisible() for p in kiosk.window.findChildren(HelpPanel))
    assert kiosk.window.identify.message.text() == "这张读者证已挂失，请联系工作人员"


def test_every_staff_message_is_recognised_in_both_languages(qtbot, kiosk):
    """Each catalog text that names staff is caught, so none of them is left a dead end."""
    from ui.help import mentions_staff
    from ui.i18n import catalog

    for language, word in (("zh_CN", "工作人员"), ("en", "staff")):
        kiosk.t.set_language(language)
        staff = [
            key
            for key, text in catalog(language).items()
            if word in text.lower() and not key.startswith(("help.", "diag."))
        ]
        assert len(staff) >= 8, language
        assert all(mentions_staff(kiosk.t, catalog(language)[key]) for key in staff)


def test_a_renewal_refused_with_ask_staff_shows_the_help(qtbot, make_kiosk):
    from kiosk.outcomes import Outcome, OutcomeKind
    from kiosk.reasons import Reason

    kiosk = make_kiosk(help_phone=PHONE, help_url=URL)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.end_session()
    sign_in(qtbot, kiosk, mode=Mode.ACCOUNT)
    account = kiosk.window.account
    assert not help_of(account).isVisible()
    # the library system refuses the renewal ("如有疑问请联系工作人员"), as a SIP2 ACS may
    refused = Outcome(OutcomeKind.REFUSED, Reason.ACS_REFUSED, pii="100001")
    account.show_results([refused], account.loans)
    assert "工作人员" in account.list.rows["100001"].detail.text()
    assert help_of(account).isVisible() and help_of(account).phone.text() == PHONE
