"""The idle timeout of a reader's session, per WCAG 2.2.1 (timing adjustable).

A session nobody touches ends so the next reader finds nothing of the last one on screen;
before it ends, a large countdown, a More time button and a chime give the reader at least
``countdown_s`` to say they are still there. 长者模式 readers get longer to act and to react.
Split from ``controller``: the clock needs the window and a way to end the session, nothing
of the flows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ui.qt import QObject, QtCore, QtWidgets, running_app
from ui.sounds import Sounds

if TYPE_CHECKING:  # the window imports the screens; the clock only needs its name
    from ui.window import KioskWindow

#: Input that says the reader is still there.
_PRESENCE = (
    QtCore.QEvent.Type.MouseButtonPress,
    QtCore.QEvent.Type.TouchBegin,
    QtCore.QEvent.Type.KeyPress,
)


class IdleClock(QObject):
    def __init__(
        self,
        window: KioskWindow,
        sounds: Sounds,
        in_session: Callable[[], bool],
        end_session: Callable[[], None],
        *,
        timeout_s: int,
        countdown_s: int,
        elderly_timeout_s: int | None,
        elderly_countdown_s: int | None,
    ) -> None:
        super().__init__()
        self.window, self.sounds = window, sounds
        self._in_session, self._end_session = in_session, end_session
        # 长者模式 readers get longer (by default twice as long) both to act and to react
        self.durations_s = {
            False: (timeout_s, countdown_s),
            True: (elderly_timeout_s or 2 * timeout_s, elderly_countdown_s or 2 * countdown_s),
        }
        self.quiet = QtCore.QTimer(self, singleShot=True)
        self.quiet.timeout.connect(self.warn)
        self.countdown = QtCore.QTimer(self, interval=1000)
        self.countdown.timeout.connect(self._tick)
        self._remaining = 0
        window.idle.keep.connect(self.touched)
        window.elderly_changed.connect(lambda _on: self._restart())
        running_app().installEventFilter(self)

    @property
    def timeout_ms(self) -> int:
        """How long a session may go untouched, for the reader now at the screen."""
        return self.durations_s[self.window.elderly][0] * 1000

    @property
    def countdown_s(self) -> int:
        """How long the 'need more time?' warning gives the reader to answer (WCAG 2.2.1)."""
        return self.durations_s[self.window.elderly][1]

    @property
    def running(self) -> bool:
        return self.quiet.isActive() or self.countdown.isActive()

    def touched(self) -> None:
        """Any touch or device event: the reader is here; restart the clock."""
        self.countdown.stop()
        self.window.idle.hide()
        if self._in_session():
            self.quiet.start(max(0, self.timeout_ms - self.countdown_s * 1000))

    def stop(self) -> None:
        self.quiet.stop()
        self.countdown.stop()

    def _restart(self) -> None:
        """长者模式 switched: the clock now running restarts with that mode's durations."""
        if self.running:
            self.touched()

    def warn(self) -> None:
        """Warn before the session ends: a large countdown, a More time button and a sound."""
        self._remaining = self.countdown_s
        self.window.idle.show_seconds(self._remaining)
        self.sounds.play("attention")
        self.countdown.start()

    def _tick(self) -> None:
        self._remaining -= 1
        if self._remaining <= 0:
            self._end_session()
        else:
            self.window.idle.show_seconds(self._remaining)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() in _PRESENCE and self.running:
            self.touched()
        return False

    def close(self) -> None:
        """Stop, and stop watching the application's input."""
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.stop()
