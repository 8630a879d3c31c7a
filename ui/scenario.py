"""Scripted sessions on the real kiosk screens: ``shufang demo --headless [--scenario FILE]``.

A scenario is a text file, one step per line (``tap-card P0001``, ``place-tags 100001``,
``press Borrow``, ``wait-for-text 应还日期``). Steps act through the simulated hands and the
visible buttons, the way a person would, and wait for what a person would see. The run ends
with a JSON summary, so support staff and end-to-end tests can check a kiosk the same way.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk.ports import PadHands
from ui.controller import KioskController
from ui.qt import QtCore, QtWidgets, running_app

BUILTIN = Path(__file__).parent / "scenarios" / "builtin.txt"


@dataclass
class Hands:
    pad: PadHands
    scan: Callable[[str], None]
    tap: Callable[[str], None]
    set_online: Callable[[bool], None]
    ecard: Callable[[str], str] | None = None  # card id -> signed QR e-card text


@dataclass
class StepResult:
    line: int
    step: str
    ok: bool
    seconds: float
    error: str = ""


@dataclass
class Summary:
    scenario: str
    ok: bool
    steps: list[StepResult] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)
    final_screen: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        return asdict(self)


class StepFailed(RuntimeError):
    pass


def pump(ms: int) -> None:
    """Let Qt run for ``ms`` milliseconds (timers, queued signals, painting)."""
    app = running_app()
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def wait_for(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise StepFailed(f"timed out after {timeout:g} s waiting for {what}")
        pump(20)


def parse(text: str) -> list[tuple[int, list[str]]]:
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            steps.append((number, shlex.split(line)))
    return steps


def _tag(spec: str) -> tuple[str, int, int]:
    """``PII`` or ``PII/part/of``."""
    pii, _, rest = spec.partition("/")
    if not rest:
        return pii, 1, 1
    part, _, of = rest.partition("/")
    return pii, int(part), int(of or part)


class ScenarioRunner:
    def __init__(
        self,
        kiosk: KioskController,
        hands: Hands,
        shots: Path,
        timeout: float = 10.0,
        say: Callable[[str], None] = print,
    ) -> None:
        self.kiosk, self.hands, self.shots, self.timeout, self.say = (
            kiosk,
            hands,
            shots,
            timeout,
            say,
        )
        self.window = kiosk.window
        self.saved: list[str] = []

    # --- what a person sees -------------------------------------------------------------

    def visible_text(self) -> str:
        widgets = self.window.findChildren(QtWidgets.QLabel)
        texts = [w.text() for w in widgets if w.isVisible()]
        texts += [
            b.text() for b in self.window.findChildren(QtWidgets.QPushButton) if b.isVisible()
        ]
        return "\n".join(texts)

    def button(self, label: str) -> QtWidgets.QPushButton:
        button: QtWidgets.QPushButton
        for button in self.window.findChildren(QtWidgets.QPushButton):
            if not button.isVisible() or not button.isEnabled():
                continue
            words = [button.text()] + [w.text() for w in button.findChildren(QtWidgets.QLabel)]
            if any(word.strip() == label for word in words):
                return button
        raise StepFailed(f"no visible button says {label!r}")

    # --- steps --------------------------------------------------------------------------

    def run(self, text: str, name: str) -> Summary:
        self.shots.mkdir(parents=True, exist_ok=True)
        self.window.resize(1080, 1920)
        self.window.show()
        pump(200)
        summary = Summary(scenario=name, ok=True)
        for number, words in parse(text):
            started = time.monotonic()
            step = " ".join(words)
            try:
                self.do(words)
                result = StepResult(number, step, True, round(time.monotonic() - started, 3))
            except (StepFailed, ValueError, KeyError) as error:
                result = StepResult(
                    number, step, False, round(time.monotonic() - started, 3), str(error)
                )
            summary.steps.append(result)
            self.say(
                f"{'ok  ' if result.ok else 'FAIL'} {number:>3}: {step}"
                + (f"  ({result.error})" if result.error else "")
            )
            if not result.ok:
                summary.ok = False
                break
        summary.screenshots = self.saved
        summary.final_screen = self.window.current()
        return summary

    def do(self, words: list[str]) -> None:
        verb, args = words[0], words[1:]
        k, hands, wait = self.kiosk, self.hands, self.timeout
        if verb == "screenshot":
            pump(250)
            path = self.shots / f"{len(self.saved) + 1:02d}-{args[0]}.png"
            self.window.grab().save(str(path))
            self.saved.append(str(path))
        elif verb == "scan":
            hands.scan(" ".join(args))
        elif verb == "show-ecard":
            if hands.ecard is None:
                raise StepFailed(
                    "nothing here issues e-cards (the demo signs them as the central would)"
                )
            hands.scan(hands.ecard(args[0]))  # the 2D imager reads the phone's QR code
        elif verb == "tap-card":
            hands.tap(args[0])
        elif verb == "type-pin":
            keypad = self.window.identify.keypad
            keys = {b.text(): b for b in keypad.findChildren(QtWidgets.QPushButton)}
            for digit in args[0]:
                keys[digit].click()
            keypad.ok_button.click()
        elif verb == "place-tags":
            for spec in args:
                hands.pad.place_item(*_tag(spec))
        elif verb == "remove-tags":
            for spec in args:
                hands.pad.remove_item(_tag(spec)[0])
            gone = {_tag(spec)[0] for spec in args}
            wait_for(lambda: not gone & set(k.on_pad), "the pad to be cleared", wait)
        elif verb == "press":
            self.button(" ".join(args)).click()
            pump(50)
        elif verb == "wait-for-text":
            wanted = " ".join(args)
            wait_for(lambda: wanted in self.visible_text(), f"text {wanted!r}", wait)
        elif verb == "wait-for-screen":
            wait_for(lambda: self.window.current() == args[0], f"screen {args[0]}", wait)
        elif verb == "wait-for-items":
            count = int(args[0])
            wait_for(lambda: len(k.session.outcomes) >= count, f"{count} items", wait)
        elif verb == "wait-for-ok":
            wait_for(
                lambda: args[0] in k.session.outcomes and k.session.outcomes[args[0]].ok,
                f"item {args[0]} accepted",
                wait,
            )
        elif verb == "network":
            hands.set_online(args[0] == "up")
            network_up = args[0] == "up"
            wait_for(lambda: k.online == network_up, f"network {args[0]}", wait)
        elif verb == "end-session":
            k.end_session()
        elif verb == "sleep-ms":
            pump(int(args[0]))
        else:
            raise StepFailed(f"unknown step {verb!r}")
