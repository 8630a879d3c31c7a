"""The screens' voice: which prompt goes with which moment of a reader's session.

The controller tells the guide what just happened (a step shown, a reason, an item decided);
the guide says it in the reader's language. Items decided together are said together: the
outcomes of a moment (``batch_ms``) become one sentence ("借书成功，共 3 本，请在 12 月 31 日前
归还"), with the first problem said before it.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from kiosk.outcomes import Outcome
from kiosk.reasons import Reason
from kiosk.voice import compose
from kiosk.voice.results import after_items, after_renewals, one_more, reason_prompt
from ui.qt import QObject, QtCore
from ui.voice.speaker import Voice

#: The longest sound cue (ui.sounds: the idle chime, 0.48 s) and a breath after it.
CUE_S = 0.6


class VoiceGuide(QObject):
    def __init__(
        self,
        voice: Voice,
        language: Callable[[], str],
        tz: ZoneInfo,
        *,
        borrowing: Callable[[], bool],
        accepted: Callable[[], list[Outcome]],
        batch_ms: int = 400,
    ) -> None:
        super().__init__()
        self.voice, self._language, self.tz = voice, language, tz
        self._borrowing, self._accepted = borrowing, accepted
        self._decided: list[Outcome] = []
        self._batch = QtCore.QTimer(self, singleShot=True, interval=batch_ms)
        self._batch.timeout.connect(self._say_results)

    def set_slow(self, on: bool) -> None:
        """长者模式 on or off: the next prompts are spoken slower or at the usual pace."""
        self.voice.slow = on

    def say(self, key: str, **values: object) -> None:
        self.flush()  # results first: "借书成功…" before "需要凭条吗？"
        self.voice.say(key, self._language(), **values)
        if key == "return.place_items":
            self.ahead()

    def reason(self, reason: Reason | None, *, after_cue: bool = False) -> None:
        """Say why; ``after_cue`` when a sound cue was just played (the words wait for it)."""
        self.flush()
        prompt = reason_prompt(reason, self._language())
        if prompt is not None:
            self.voice.say_all([prompt], after_s=CUE_S if after_cue else 0.0)

    def warn_idle(self) -> None:
        """The 'need more time?' warning, after its chime."""
        self.flush()
        self.voice.say_all([compose("idle.warning", self._language())], after_s=CUE_S)

    def new_session(self) -> None:
        """A new reader: nothing of the last session is said to them."""
        self.forget()
        self.voice.hush()

    def forget(self) -> None:
        """Results not yet said are dropped."""
        self._batch.stop()
        self._decided.clear()

    def flush(self) -> None:
        """Say the results waiting for their moment now (the session moves on or ends)."""
        self._batch.stop()
        self._say_results()

    def item_decided(self, outcome: Outcome) -> None:
        self._decided.append(outcome)
        self._batch.start()

    def goodbye(self, summary: str, card: bool) -> None:
        """The goodbye screen: the session's closing summary (ui.summary's sentence, the
        same words as on screen), then 请取走您的读者证 or a plain goodbye."""
        self.flush()
        if summary:
            self.say("session.summary", sentence=summary)
        self.say("card.take" if card else "goodbye")

    def renewed(self, outcomes: list[Outcome]) -> None:
        """My account's renewals: 续借成功，共 N 本… or the first reason one was refused."""
        self.flush()
        self.voice.say_all(after_renewals(outcomes, self._language(), self.tz))

    def _say_results(self) -> None:
        decided, self._decided = self._decided, []
        if decided:
            self.voice.say_all(
                after_items(self._borrowing(), decided, self._accepted(), self._language(), self.tz)
            )
            self.ahead()

    def ahead(self) -> None:
        """Render the total for one more item now, so it is ready when that item comes."""
        self.voice.prepare_ahead(
            one_more(self._borrowing(), self._accepted(), self._language(), self.tz)
        )

    def close(self) -> None:
        self.forget()
        self.voice.close()
