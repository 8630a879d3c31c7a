"""Diagnostics mode's door and clock: who may enter, when it closes, and the audit trail.

A technician card opens it at once; five quick taps on the header's branch name ask for the
technician PIN. Every entry, refusal and action is written to the fault log as an info record
(device "diagnostics"), which the sync daemon reports like any fault.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from kiosk.core import Core
from kiosk.diag import DIAG_DEVICE, RESTART_EXIT_CODE
from kiosk.pin import verify_pin
from ui.diagnostics.context import DiagnosticsContext
from ui.diagnostics.gate import TapGesture
from ui.diagnostics.panel import DiagnosticsPanel
from ui.qt import QObject, QtCore, Signal, running_app
from ui.session import Mode

log = logging.getLogger(__name__)

WATCHED_EVENTS = (
    QtCore.QEvent.Type.MouseButtonPress,
    QtCore.QEvent.Type.TouchBegin,
    QtCore.QEvent.Type.KeyPress,
)


class DiagnosticsMode(QObject):
    entered = Signal(str)  # how: "card" or "pin"
    left = Signal(str)  # why: "exit", "idle", "restart"
    recorded = Signal(str)  # audit code, after the store has it

    def __init__(self, controller: Any, context: DiagnosticsContext) -> None:
        super().__init__()
        self.controller, self.ctx, self.t = controller, context, controller.t
        self.active = False
        self.technician = ""
        self.last_scans: deque[str] = deque(maxlen=5)
        self.last_card: tuple[str, str] | None = None
        self._pin_failures = 0
        self._locked = QtCore.QTimer(self, singleShot=True)
        self._idle = QtCore.QTimer(self, singleShot=True)
        self._idle.timeout.connect(lambda: self.leave("idle"))
        self.panel = DiagnosticsPanel(controller.window, self)
        self.gesture = TapGesture(controller.window.header.branch)
        self.gesture.triggered.connect(self.ask_pin)
        controller.events.scanned.connect(self._scanned)
        controller.events.card_presented.connect(self._card_seen)

    # --- the door ----------------------------------------------------------------------------

    def card(self, card: str) -> bool:
        """The controller offers every card and scan; a technician's card opens the mode."""
        name = self.ctx.technician_cards.get(card)
        if name is None:
            return False
        if not self.active:
            self.enter("card", name)
        return True

    def ask_pin(self) -> None:
        if self.active or self.panel.gate_open:
            return
        if not self.ctx.pin_hash:
            self.audit("pin_unset", "gesture used, but no technician PIN is configured")
            return
        self.panel.show_gate(self.t("diag.gate.locked") if self._locked.isActive() else "")
        self._watch(True)

    def pin_entered(self, pin: str) -> None:
        if self._locked.isActive():
            self.panel.show_gate(self.t("diag.gate.locked"))
            return
        stored = self.ctx.pin_hash
        self.run_device(lambda _: verify_pin(pin, stored), self._pin_checked)

    def _pin_checked(self, ok: bool) -> None:
        if ok:
            self._pin_failures = 0
            self.enter("pin", "PIN")
            return
        self._pin_failures += 1
        self.audit("pin_refused", f"wrong technician PIN ({self._pin_failures} in a row)")
        if self._pin_failures >= self.ctx.pin_attempts:
            self._pin_failures = 0
            self._locked.start(self.ctx.pin_lockout_ms)
            self.panel.show_gate(self.t("diag.gate.locked"))
        else:
            left = self.ctx.pin_attempts - self._pin_failures
            self.panel.show_gate(self.t("diag.gate.wrong", attempts=left))

    def cancel_gate(self) -> None:
        self.panel.close_all()
        self._watch(False)

    def enter(self, how: str, who: str) -> None:
        """Open the mode; any reader session is ended first, so nothing of it stays on screen."""
        if self.controller.session.mode is not Mode.IDLE:
            self.controller.end_session()
        self.active, self.technician = True, who
        self.last_scans.clear()
        self.last_card = None
        self.panel.open_mode()
        self._watch(True)
        self.audit("entered", f"diagnostics mode opened by {how} ({who})")
        self.entered.emit(how)

    def leave(self, why: str = "exit") -> None:
        if not self.active:
            self.cancel_gate()
            return
        self.audit("left", f"diagnostics mode closed ({why})")
        self.active = False
        self.panel.close_all()
        self._watch(False)
        self.t.set_language(self.controller.default_language)
        window = self.controller.window
        window.show_screen("out_of_service" if self.controller.out_of_service else "home")
        self.controller.poll_status()
        self.left.emit(why)

    # --- inactivity --------------------------------------------------------------------------

    def _watch(self, on: bool) -> None:
        app = running_app()
        if on:
            app.installEventFilter(self)
            self._idle.start(self.ctx.idle_timeout_ms)
        else:
            app.removeEventFilter(self)
            self._idle.stop()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() in WATCHED_EVENTS and self._idle.isActive():
            self._idle.start(self.ctx.idle_timeout_ms)
        return False

    # --- device events while open --------------------------------------------------------

    def _scanned(self, text: str) -> None:
        if self.active and text not in self.ctx.technician_cards:
            self.last_scans.appendleft(text)
            self.panel.scanned(text)

    def _card_seen(self, card: str, kind: str) -> None:
        if self.active and card not in self.ctx.technician_cards:
            self.last_card = (card, kind)
            self.panel.card_seen()

    # --- work off the UI thread, and the audit trail -------------------------------------------

    def run_device(
        self,
        job: Callable[[Any], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None] | None = None,
    ) -> None:
        """Device I/O and slow hashing on the device worker, never on the UI thread."""
        self.controller.device_jobs.call(job, done, failed or self._failed)

    def run_core(
        self,
        job: Callable[[Any], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None] | None = None,
    ) -> None:
        """Database work on the core worker, the one writer."""
        self.controller.core.call(job, done, failed or self._failed)

    def _failed(self, error: str) -> None:
        log.error("diagnostics job failed: %s", error)
        self.panel.show_problem(error)

    def audit(self, code: str, message: str) -> None:
        """One info record per action; messages name devices and actions, never a patron."""
        log.info("diagnostics: %s", message)

        def job(core: Core) -> None:
            core.store.faults.record_event(DIAG_DEVICE, code, message, core.faults.clock.now())

        self.controller.core.call(job, lambda _: self.recorded.emit(code))


def install(controller: Any, context: DiagnosticsContext) -> DiagnosticsMode:
    """Give the controller its technician door; returns the mode (tests drive it directly)."""
    mode = DiagnosticsMode(controller, context)
    controller.technician = mode
    return mode


def restart_application() -> None:
    """Leave the Qt event loop with the exit status the systemd unit restarts on."""
    QtCore.QCoreApplication.exit(RESTART_EXIT_CODE)
