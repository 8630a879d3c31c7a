"""The borrow and return lists as a reader uses them: lifting books, and more books than fit."""

from __future__ import annotations

from tests.ui.test_flows import WAIT, sign_in
from ui.qt import QtCore, QtWidgets
from ui.session import Mode

Qt = QtCore.Qt
BOOKS = ["100001", "100002", "100007", "100010", "100013", "100016", "100019", "100022"]


def test_a_lifted_book_is_marked_taken_off_then_its_row_goes(qtbot, kiosk):
    """Regression (#13 bug 5): rows stayed on the borrow screen after their books were lifted."""
    sign_in(qtbot, kiosk)
    screen = kiosk.window.borrow
    screen.lifted_ms = 300
    kiosk.events.place("100001")
    kiosk.events.place("300003")  # not for loan: a refused row goes too once it is taken away
    kiosk.events.place("100002")
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 3, timeout=WAIT)
    kiosk.events.remove("100001")
    kiosk.events.remove("300003")
    row = screen.list.rows["100001"]
    assert row.detail.text().startswith(kiosk.t("item.lifted"))
    assert row.property("tone") == "gone"
    qtbot.waitUntil(lambda: set(screen.list.rows) == {"100002"}, timeout=WAIT)
    assert screen.tally.text() == kiosk.t("borrow.count", count=2)  # still counted
    kiosk.t.set_language("en")  # a language switch does not bring gone rows back
    assert set(screen.list.rows) == {"100002"}
    kiosk.events.place("100001")  # put back on the pad: its row shows again, not borrowed twice
    assert "Due" in screen.list.rows["100001"].detail.text()
    assert screen.list.rows["100001"].property("tone") == "ok"
    assert len(kiosk.session.accepted) == 2


def test_a_returned_book_lifted_off_leaves_the_return_list(qtbot, kiosk):
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.end_session()
    kiosk.begin(Mode.RETURN)
    screen = kiosk.window.give_back
    screen.lifted_ms = 300
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    assert screen.list.rows["100001"].detail.text() == kiosk.t("item.returned")
    kiosk.events.remove("100001")
    qtbot.waitUntil(lambda: not screen.list.rows, timeout=WAIT)
    assert screen.tally.text() == kiosk.t("return.count", count=1)


def test_the_newest_row_shows_and_a_big_button_says_how_many_are_above(qtbot, kiosk):
    """Regression (#13 bug 5): with many books the oldest row was cut off under the
    instruction box, reachable only by a thin desktop scroll bar."""
    sign_in(qtbot, kiosk)
    kiosk.window.set_elderly(True)  # big rows: eight of them cannot fit
    screen = kiosk.window.borrow
    for pii in BOOKS:
        kiosk.events.place(pii)
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == len(BOOKS), timeout=WAIT)
    qtbot.wait(50)
    items, view = screen.list, screen.list.viewport()

    def shown_whole(pii: str) -> bool:
        row = items.rows[pii]
        top = row.mapTo(view, QtCore.QPoint(0, 0)).y()
        return top >= 0 and top + row.height() <= view.height()

    assert shown_whole(BOOKS[-1])  # the newest, beside the Finish button
    above = items.rows_above()
    assert above >= 1 and not shown_whole(BOOKS[0])
    assert items.more_above.isVisible()
    assert items.more_above.text() == kiosk.t("list.more_above", count=above)
    assert items.more_above.geometry().top() == 0  # over the row cut off at the top
    bar = items.verticalScrollBar()
    assert bar.isVisible() and bar.width() >= 60  # a finger-wide bar, not a desktop one
    assert items.more_above.height() >= 60
    for _ in range(len(BOOKS)):
        if not items.more_above.isVisible():
            break
        qtbot.mouseClick(items.more_above, Qt.MouseButton.LeftButton)
    assert shown_whole(BOOKS[0]) and not items.more_above.isVisible()
    assert QtWidgets.QScroller.hasScroller(view)  # a finger drags the list too


def test_a_book_scanned_in_one_session_is_not_lent_in_the_next(qtbot, kiosk, probe):
    """Regression: a scanned book stayed 'on the pad' after its session, so the next reader
    to sign in borrowed the book the last one had just returned by scanning it."""
    sign_in(qtbot, kiosk)
    kiosk.events.scan("100010")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.end_session()
    kiosk.begin(Mode.RETURN)
    kiosk.events.scan("100010")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.end_session()
    sign_in(qtbot, kiosk, card="P0002")
    kiosk.events.place("100001")  # a book really on the pad is lent as before
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    qtbot.wait(200)
    assert set(kiosk.session.outcomes) == {"100001"}
    assert probe.cores[0].store.loans.get("100010") is None
