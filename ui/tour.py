"""A scripted tour of the real kiosk UI with simulated hands: the headless ``shufang demo``.

It drives the same station, pad watcher, codecs, core and screens a person would, waits for
each result on the screen, saves a screenshot of each step and prints what happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.ports import PadHands
from ui.controller import KioskController
from ui.qt import QtCore, QtWidgets
from ui.session import Mode


@dataclass
class Hands:
    pad: PadHands
    scan: Callable[[str], None]
    tap: Callable[[str], None]
    set_online: Callable[[bool], None]


class TourFailed(RuntimeError):
    pass


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    app = QtWidgets.QApplication.instance()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TourFailed(f"timed out waiting for {what}")
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


def settle(ms: int = 300) -> None:
    end = time.monotonic() + ms / 1000
    app = QtWidgets.QApplication.instance()
    while time.monotonic() < end:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


def run_tour(
    kiosk: KioskController, hands: Hands, shots: Path, say: Callable[[str], None] = print
) -> list[Path]:
    w, saved = kiosk.window, []
    shots.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        settle(250)
        path = shots / f"{len(saved) + 1:02d}-{name}.png"
        w.grab().save(str(path))
        saved.append(path)

    def take_away(*piis: str) -> None:
        """Lift items off the pad and wait until the kiosk has seen them go."""
        for pii in piis:
            hands.pad.remove_item(pii)
        wait_for(lambda: not set(piis) & set(kiosk.on_pad), "the pad to be cleared")

    def rows(screen) -> str:
        return "; ".join(f"{r.title.text()}: {r.detail.text()}" for r in screen.list.rows.values())

    w.resize(1080, 1920)
    w.show()
    shot("home")
    say("1. A reader scans a library card; the kiosk asks for the PIN")
    hands.scan("P0001")
    wait_for(lambda: w.identify.stage == "pin", "the PIN screen")
    shot("pin")
    kiosk.identify("P0001", w.identify.kind, "1234")
    wait_for(lambda: w.current() == "borrow", "the borrow screen")
    say("2. Books placed on the pad: a stack, a set with its CD missing, a reference book")
    for pii in ("100001", "100007", "300003", "100004"):
        hands.pad.place_item(pii)
    hands.pad.place_item("300001", 1, 2)
    wait_for(lambda: len(kiosk.session.outcomes) == 5, "five items on the screen")
    shot("borrow-set-incomplete")
    hands.pad.place_item("300001", 2, 2)
    wait_for(lambda: kiosk.session.outcomes["300001"].ok, "the set with both parts")
    say("   " + rows(w.borrow))
    shot("borrow")
    say("3. Finish, print a receipt")
    kiosk.finish()
    kiosk.receipt_chosen("print")
    wait_for(
        lambda: w.current() in ("goodbye", "home") or w.receipt.qr.isVisible(),
        "the receipt to print",
    )
    shot("goodbye")
    wait_for(lambda: w.current() == "home", "the session to end", 10)
    take_away("100001", "100007", "300003", "100004", "300001")
    say("4. The network drops: a calm banner, loans continue under the offline limit")
    hands.set_online(False)
    wait_for(lambda: w.banner.isVisible(), "the offline banner")
    hands.tap("P0002")
    wait_for(lambda: w.current() == "borrow", "borrowing by NFC card")
    for pii in ("100010", "100013", "100016", "100019"):
        hands.pad.place_item(pii)
    wait_for(lambda: len(kiosk.session.outcomes) == 4, "four offline attempts")
    say("   " + rows(w.borrow))
    shot("borrow-offline")
    kiosk.end_session()
    take_away("100010", "100013", "100016", "100019")
    hands.set_online(True)
    wait_for(lambda: not w.banner.isVisible(), "the network back")
    say("5. Returns need no card; another branch's book goes to the transfer box")
    kiosk.begin(Mode.RETURN)
    for pii in ("100007", "100003", "100010"):
        hands.pad.place_item(pii)
    wait_for(lambda: len(kiosk.session.outcomes) == 3, "three returns")
    say("   " + rows(w.give_back))
    shot("return")
    kiosk.end_session()
    take_away("100007", "100003", "100010")
    say("6. My account in English with large text: renew all")
    kiosk.begin(Mode.ACCOUNT)
    w.header.language_button.click()
    w.toggle_text_size()
    hands.tap("P0001")
    wait_for(lambda: w.current() == "account", "the account screen")
    w.account.renew_everything.click()
    wait_for(lambda: bool(w.account.results), "renewal results")
    say("   " + rows(w.account))
    shot("account-en-large")
    w.toggle_text_size()
    kiosk.end_session()
    shot("home-after")
    return saved
