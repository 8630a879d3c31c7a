"""Stacks and sets placed on the pad at once, through the real screens: one core call each."""

from __future__ import annotations

import threading

from kiosk.models import CardKind
from ui.session import Mode

WAIT = 5000
BOOK_TAG, CD_TAG = b"\xe0\x04\x01\x00\x00\x00\x30\x01", b"\xe0\x04\x01\x00\x00\x00\x30\x02"


class Pad:
    """Tag security as the pad offers it, remembering which tags were written."""

    def __init__(self) -> None:
        self.written: list[tuple[bytes, ...]] = []

    def secure(self, uids, on_loan):
        self.written.append(uids if isinstance(uids, tuple) else (uids,))


class StackSpy:
    """Wraps the core's circulation to count the calls the UI makes."""

    def __init__(self, circulation, hold: threading.Event | None = None) -> None:
        self.circulation = circulation
        self.stacks: list[list[str]] = []
        self.single_checkouts = 0
        self.hold = hold  # when given, the first stack waits for it (a slow library system)

    def checkout_stack(self, patron, items):
        self.stacks.append([pii for pii, _ in items])
        if self.hold is not None and len(self.stacks) == 1:
            self.hold.wait(5)
        return self.circulation.checkout_stack(patron, items)

    def checkout(self, *args, **kwargs):
        self.single_checkouts += 1
        return self.circulation.checkout(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.circulation, name)


def spying(probe, hold: threading.Event | None = None):
    spies: list[StackSpy] = []

    def factory():
        core = probe()
        core.circulation = StackSpy(core.circulation, hold)
        spies.append(core.circulation)
        return core

    return factory, spies


def signed_in(qtbot, kiosk, card="P0001"):
    kiosk.begin(Mode.BORROW)
    kiosk.card_presented(card, CardKind.NFC)  # NFC: the demo policy asks no PIN for a tap
    qtbot.waitUntil(lambda: kiosk.window.current() == "borrow", timeout=WAIT)


def test_a_book_and_cd_set_placed_whole_is_borrowed(qtbot, make_kiosk, probe):
    """Regression (#13 bug 1): the second part's event was dropped while the first part
    was being decided, so a set placed whole stayed at "还缺第 2 件" for ever."""
    pad = Pad()
    kiosk = make_kiosk(security=pad)
    signed_in(qtbot, kiosk)
    gate = threading.Event()
    kiosk.core.call(lambda core: gate.wait(5), lambda _: None)  # the worker is busy a moment
    kiosk.events.place("300001", frozenset({1}), (BOOK_TAG,))  # the pad reads the book first
    qtbot.waitUntil(lambda: "300001" in kiosk.session.in_flight, timeout=WAIT)
    kiosk.events.place("300001", frozenset({1, 2}), (BOOK_TAG, CD_TAG))  # then the CD
    gate.set()
    qtbot.waitUntil(lambda: "300001" in kiosk.session.outcomes, timeout=WAIT)
    outcome = kiosk.session.outcomes["300001"]
    assert outcome.ok, outcome.reason
    row = kiosk.window.borrow.list.rows["300001"]
    assert row.property("tone") == "ok" and "还缺" not in row.detail.text()
    assert pad.written == [(BOOK_TAG, CD_TAG)]  # both parts' tags secured for the loan
    assert core_loan(probe, "300001") == "P0001"


def test_a_stack_goes_to_the_core_in_one_call(qtbot, make_kiosk, probe):
    factory, spies = spying(probe)
    kiosk = make_kiosk(factory)
    signed_in(qtbot, kiosk)
    stack = ["100001", "100002", "100005", "100008"]
    for pii in stack:
        kiosk.events.place(pii, None, (bytes([0xE0, 0, 0, 0, 0, 0, 0, int(pii[-1])]),))
    kiosk.events.place("300001", frozenset({1}), (BOOK_TAG,))
    kiosk.events.place("300001", frozenset({1, 2}), (BOOK_TAG, CD_TAG))
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 5, timeout=WAIT)
    assert all(o.ok for o in kiosk.session.outcomes.values())
    (spy,) = spies
    assert spy.stacks == [[*stack, "300001"]] and spy.single_checkouts == 0
    assert kiosk.window.borrow.tally.text() == "本次已借 5 本"


def test_items_placed_while_a_stack_is_decided_go_as_the_next_stack(qtbot, make_kiosk, probe):
    gate = threading.Event()
    factory, spies = spying(probe, hold=gate)  # the first stack is decided slowly
    kiosk = make_kiosk(factory)
    signed_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: len(spies) == 1 and len(spies[0].stacks) == 1, timeout=WAIT)
    assert "100001" in kiosk.session.in_flight
    kiosk.events.place("100002")
    kiosk.events.place("100005")
    gate.set()
    qtbot.waitUntil(lambda: len(kiosk.session.outcomes) == 3, timeout=WAIT)
    (spy,) = spies
    assert spy.stacks == [["100001"], ["100002", "100005"]]


def core_loan(probe, pii: str) -> str | None:
    loan = probe.cores[0].store.loans.get(pii)
    return loan.patron_card if loan else None
