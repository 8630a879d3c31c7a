"""The closing summary (#13): receipt choice, goodbye, and the idle timeout say what was done."""

from __future__ import annotations

from datetime import date

from ui.qt import QtCore
from ui.session import Mode
from ui.summary import SessionSummary, session_sentence, summary_lines, summary_sentence

from .test_flows import WAIT, sign_in

Qt = QtCore.Qt


def test_the_sentence_says_counts_and_the_earliest_due_date_in_both_languages():
    three = SessionSummary(borrowed=3, earliest_due=date(2026, 12, 31))
    assert summary_sentence(three, "zh_CN") == "借书成功，共 3 本，请在12月31日前归还。"
    assert summary_sentence(three, "en") == "Books borrowed: 3. Please bring them back by 31 Dec."
    mixed = SessionSummary(borrowed=1, renewed=2, earliest_due=date(2027, 1, 5))
    assert summary_sentence(mixed, "zh_CN") == (
        "借书成功，共 1 本，续借成功，共 2 本，请在1月5日前归还。"
    )
    assert summary_sentence(SessionSummary(returned=2), "zh_CN") == "还书成功，共 2 本。"
    assert summary_sentence(SessionSummary(), "zh_CN") == ""  # nothing done: nothing said


def test_receipt_and_goodbye_show_how_many_were_borrowed_and_when_they_are_due(qtbot, kiosk):
    sign_in(qtbot, kiosk)
    for pii in ("100001", "100002", "300003"):  # the dictionary is not for loan
        kiosk.events.place(pii)
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 3, timeout=WAIT)
    due = min(o.due_at for o in kiosk.session.accepted).astimezone(kiosk.tz)
    expected = f"借书成功，共 2 本，请在{due.month}月{due.day}日前归还。"
    assert session_sentence(kiosk.session, "zh_CN", kiosk.tz) == expected
    shown = f"借书成功，共 2 本\n请在{due.month}月{due.day}日前归还"  # a clause a line on screen
    qtbot.mouseClick(kiosk.window.borrow.finish, Qt.MouseButton.LeftButton)
    receipt = kiosk.window.receipt
    assert receipt.summary.isVisible() and receipt.summary.text() == shown
    kiosk.t.set_language("en")  # the reader switches language: the summary follows
    assert receipt.summary.text().startswith("Books borrowed: 2\nPlease bring them back by")
    kiosk.t.set_language("zh_CN")
    qtbot.mouseClick(receipt.none_button, Qt.MouseButton.LeftButton)
    goodbye = kiosk.window.goodbye
    assert kiosk.window.current() == "goodbye" and goodbye.summary.text() == shown
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)
    assert not goodbye.summary.text() and not receipt.summary.text()  # gone with the reader


def test_renewals_and_returns_are_summed_up_too(qtbot, kiosk):
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    kiosk.events.place("300002")
    qtbot.waitUntil(lambda: len(kiosk.session.accepted) == 2, timeout=WAIT)
    kiosk.events.remove("300002")
    kiosk.end_session()
    sign_in(qtbot, kiosk, mode=Mode.ACCOUNT)  # 我的账户 → 全部续借
    account = kiosk.window.account
    qtbot.mouseClick(account.renew_everything, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(account.results) == 2, timeout=WAIT)
    assert all(o.ok for o in account.results.values())
    due = min(o.due_at for o in account.results.values()).astimezone(kiosk.tz)
    qtbot.mouseClick(account.finish, Qt.MouseButton.LeftButton)
    assert kiosk.window.goodbye.summary.text() == (
        f"续借成功，共 2 本\n请在{due.month}月{due.day}日前归还"
    )
    kiosk.end_session()
    sign_in(qtbot, kiosk)  # 100001 still lies on the pad: already this reader's, renew it
    row = kiosk.window.borrow.list.rows["100001"]
    qtbot.waitUntil(lambda: bool(row.action_box.count()), timeout=WAIT)
    qtbot.mouseClick(row.action_box.itemAt(0).widget(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.session.outcomes["100001"].ok, timeout=WAIT)
    kiosk.finish()
    assert kiosk.window.receipt.summary.text().startswith("续借成功，共 1 本\n请在")  # not 借书
    kiosk.end_session()
    kiosk.events.remove("100001")
    kiosk.begin(Mode.RETURN)
    kiosk.events.scan("300002")
    kiosk.events.scan("100001")
    qtbot.waitUntil(lambda: len(kiosk.session.accepted) == 2, timeout=WAIT)
    kiosk.finish()
    assert kiosk.window.receipt.summary.text() == "还书成功，共 2 本"


def test_the_idle_timeout_shows_the_summary_briefly_before_home(qtbot, make_kiosk):
    kiosk = make_kiosk(idle_timeout_s=1, idle_countdown_s=1, goodbye_ms=600)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    expected = session_sentence(kiosk.session, "zh_CN", kiosk.tz)
    assert expected.startswith("借书成功，共 1 本")
    shown = summary_lines(SessionSummary.of(kiosk.session, kiosk.tz), "zh_CN")
    qtbot.waitUntil(lambda: kiosk.window.current() == "goodbye", timeout=WAIT)
    assert kiosk.window.goodbye.summary.text() == shown
    assert not kiosk.window.idle.isVisible()  # the summary is not hidden behind the warning
    assert "王*" not in kiosk.window.goodbye.summary.text()
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)
    assert kiosk.session.patron is None


def test_an_idle_session_that_did_nothing_goes_straight_home(qtbot, make_kiosk):
    kiosk = make_kiosk(idle_timeout_s=1, idle_countdown_s=1, goodbye_ms=5000)
    sign_in(qtbot, kiosk)
    seen = []
    kiosk.window.stack.currentChanged.connect(lambda _: seen.append(kiosk.window.current()))
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)
    assert "goodbye" not in seen
