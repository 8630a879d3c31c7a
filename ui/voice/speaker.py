"""Spoken prompts (语音播报): rendered ahead of need, played without ever holding up the screen.

``say`` is called on the UI thread and returns at once: it picks the words
(``kiosk.voice``), checks on/off and silent hours, notes what is said, and hands the rest to a
worker thread, which finds the prompt's WAV (a library's own recording from the override
folder, else the cache, else renders it with espeak-ng) and plays it with the same player as
the sound cues (``ui.sounds.system_player``). Fixed prompts are rendered at start-up by a
second worker, so a prompt normally only waits for the player; sentences with a count and a
date are composed when needed and rendered on the worker. Prompts play one after another; a
new reader's session hushes what is left of the last one.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, time, tzinfo
from pathlib import Path
from time import monotonic as time_now
from time import sleep
from typing import Any

from kiosk.config import Config
from kiosk.voice import Utterance, VoiceSettings, compose, fixed_utterances
from kiosk.voice.audio import cache_name, write_scaled
from ui.sounds import Player, system_player
from ui.voice.espeak import EspeakRenderer, SpeechError, audio_device_present

log = logging.getLogger(__name__)

#: Sub-folder of the cache for sentences with a count and a date, and how long they are kept.
COMPOSED = "composed"
COMPOSED_DAYS = 3


class Voice:
    def __init__(
        self,
        settings: VoiceSettings | None = None,
        *,
        renderer: EspeakRenderer | None = None,
        player: Player | None = None,
        now: Callable[[], time] | None = None,
        device_present: bool | None = None,
    ) -> None:
        self.settings = settings or VoiceSettings(enabled=False)
        self.renderer = renderer or EspeakRenderer()
        self.device_present = audio_device_present() if device_present is None else device_present
        if player is None and self.settings.enabled and self.device_present:
            player = system_player()
        self.player = player
        self.now = now or (lambda: datetime.now().time())
        # made when the first prompt is rendered, not before
        self.cache = Path(
            self.settings.cache_folder or Path(tempfile.gettempdir(), "shufang-voice")
        )
        self.overrides = (
            Path(self.settings.override_folder) if self.settings.override_folder else None
        )
        #: What was asked to be said, newest last (key, language, words, why silent):
        #: for diagnostics and the demo's summary. No patron data is ever in a prompt.
        self.spoken: deque[dict[str, Any]] = deque(maxlen=200)
        self._ui_thread = threading.get_ident()
        self._generation = 0
        #: 长者模式: prompts are spoken a fifth slower (set by the screens, UI thread only)
        self.slow = False
        self._current: Any = None
        self._lock = threading.Lock()
        self._speaker: ThreadPoolExecutor | None = None
        self._preparer: ThreadPoolExecutor | None = None

    # --- on the UI thread ----------------------------------------------------------------------

    @property
    def audible(self) -> bool:
        """Whether prompts can be heard at all (on, a device, a player and espeak-ng)."""
        return self.settings.enabled and self.player is not None and self.renderer.available

    def silence_reason(self) -> str | None:
        """Why nothing would be said now ("off", "silent_hours", "volume_zero", "no_device")."""
        reason = self.settings.silence_reason(self.now())
        if reason is None and self.player is None:
            return "no_device"
        if reason is None and not self.renderer.available:
            return "no_engine"
        return reason

    def say(self, key: str, language: str, **values: object) -> Utterance | None:
        """Say prompt ``key`` (returns at once); None when the prompt does not exist."""
        try:
            utterance = compose(key, language, **values)
        except (KeyError, IndexError) as error:
            log.warning("no spoken prompt %s (%s)", key, error)
            return None
        self.say_all([utterance])
        return utterance

    def say_all(self, utterances: Iterable[Utterance], after_s: float = 0.0) -> None:
        """Say each in turn; ``after_s`` lets a sound cue played just now finish first."""
        start_at = time_now() + after_s
        for utterance in utterances:
            silent = self.silence_reason()
            self.spoken.append(
                {
                    "key": utterance.key,
                    "language": utterance.language,
                    "text": utterance.text,
                    "silent": silent,
                }
            )
            if silent is not None:
                log.info("voice %s (%s): not spoken, %s", utterance.key, utterance.language, silent)
                continue
            generation, speed = self._generation, self.speed
            self._speaker_pool().submit(self._speak, generation, utterance, speed, start_at)

    @property
    def speed(self) -> int:
        """Words per minute now: ``voice.speed``, or a fifth slower for a 长者模式 reader."""
        return self.slow_speed if self.slow else self.settings.speed

    @property
    def slow_speed(self) -> int:
        return max(80, round(self.settings.speed * 0.8))

    def hush(self) -> None:
        """Drop what is waiting to be said and stop what is playing (a new session starts)."""
        with self._lock:
            self._generation += 1
            current, self._current = self._current, None
        _stop(current)

    def prepare(self) -> Future[int] | None:
        """Render every fixed prompt in every language in the background (at start-up)."""
        if not self.audible:
            return None
        return self._preparer_pool().submit(self.render_all)

    def prepare_ahead(self, utterances: list[Utterance]) -> Future[None] | None:
        """Render sentences likely to be said next (the next count) in the background."""
        if not self.audible or not utterances:
            return None
        return self._preparer_pool().submit(self._render_quietly, utterances, self.speed)

    def _render_quietly(self, utterances: list[Utterance], speed: int) -> None:
        for utterance in utterances:
            try:
                self.wav_for(utterance, speed)
            except (SpeechError, OSError) as error:
                log.warning("voice prompt %s not rendered ahead: %s", utterance.key, error)

    def wait_until_quiet(self, timeout_s: float = 30.0) -> None:
        """Block until everything asked so far has been said and rendered ahead (for tests
        and the demo's end)."""
        for pool in (self._speaker, self._preparer):
            if pool is not None:
                pool.submit(lambda: None).result(timeout=timeout_s)

    def status(self) -> dict[str, Any]:
        """For diagnostics: the settings, whether it speaks now, and why not."""
        s = self.settings
        return {
            "enabled": s.enabled,
            "volume": s.volume,
            "silent_hours": s.silent_hours,
            "silent_now": self.silence_reason(),
            "engine": self.renderer.program if self.renderer.available else "",
            "cached": len(list(self.cache.glob("*.wav"))) if self.cache.is_dir() else 0,
        }

    def close(self) -> None:
        self.hush()
        for pool in (self._speaker, self._preparer):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    # --- on the workers --------------------------------------------------------------------------

    def render_all(self) -> int:
        """Render (or find cached) every fixed prompt, at the normal speed and then at the
        长者模式 speed; returns how many files are ready. Old composed sentences go first."""
        self.prune_composed()
        ready = 0
        for speed in (self.settings.speed, self.slow_speed):
            ready += self._render_each(fixed_utterances(), speed)
        return ready

    def _render_each(self, utterances: list[Utterance], speed: int) -> int:
        ready = 0
        for utterance in utterances:
            try:
                self.wav_for(utterance, speed)
                ready += 1
            except (SpeechError, OSError) as error:
                log.warning(
                    "voice prompt %s/%s not rendered: %s", utterance.key, utterance.language, error
                )
        return ready

    def wav_for(self, utterance: Utterance, speed: int | None = None) -> Path:
        """The file to play for ``utterance``: the library's recording if it has one, else the
        rendered speech; both at the configured volume. Never on the UI thread."""
        if threading.get_ident() == self._ui_thread:
            raise RuntimeError("speech is rendered on a worker, never on the UI thread")
        volume = self.settings.volume
        recording = self.override_for(utterance)
        if recording is not None:
            stat = recording.stat()
            target = self.cache / cache_name(
                "override", recording, stat.st_size, stat.st_mtime_ns, volume
            )
            if not target.exists():
                write_scaled(recording, target, volume)
            return target
        speed = speed or self.settings.speed
        target = self._synthesised(utterance, speed)
        if target.exists():
            if not utterance.fixed:
                with contextlib.suppress(OSError):
                    target.touch()  # used: kept by the pruning
        else:
            raw = self.cache / f"{target.stem}.raw.wav"
            try:
                self.renderer.render(utterance.text, utterance.voice, raw, speed=speed)
                write_scaled(raw, target, volume)
            finally:
                raw.unlink(missing_ok=True)
        return target

    def _synthesised(self, utterance: Utterance, speed: int) -> Path:
        volume = self.settings.volume
        name = cache_name(utterance.text, utterance.voice, self.renderer.identity, speed, volume)
        # sentences with a count and a date have a folder of their own, pruned at start-up
        return (self.cache if utterance.fixed else self.cache / COMPOSED) / name

    def prune_composed(self, max_age_days: float = COMPOSED_DAYS) -> int:
        """Delete composed sentences not used for ``max_age_days`` (their dates have passed;
        a year of counts × dates would otherwise fill the disk). Returns how many went."""
        folder, removed = self.cache / COMPOSED, 0
        if not folder.is_dir():
            return 0
        cutoff = datetime.now().timestamp() - max_age_days * 86400
        for path in folder.glob("*.wav"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed

    def ready(self, utterance: Utterance) -> bool:
        """Whether ``utterance`` is rendered already (nothing to wait for but the player)."""
        return (
            self.override_for(utterance) is not None
            or self._synthesised(utterance, self.speed).exists()
        )

    def override_for(self, utterance: Utterance) -> Path | None:
        """``<override folder>/<key>.<language>.wav``, for fixed prompts (a recording cannot say
        a count it does not know)."""
        if self.overrides is None or not utterance.fixed:
            return None
        path = self.overrides / f"{utterance.key}.{utterance.language}.wav"
        return path if path.is_file() else None

    def _speak(
        self, generation: int, utterance: Utterance, speed: int, start_at: float = 0.0
    ) -> None:
        if generation != self._generation:
            return
        try:
            path = self.wav_for(utterance, speed)
        except (SpeechError, OSError) as error:
            log.warning("voice prompt %s not spoken: %s", utterance.key, error)
            return
        wait_s = start_at - time_now()
        if wait_s > 0:  # the cue that came with this prompt is still sounding
            sleep(min(wait_s, 2.0))
        with self._lock:
            if generation != self._generation or self.player is None:
                return
            try:
                self._current = self.player(path)
            except OSError as error:  # a broken sound device must not disturb a loan
                log.warning("voice prompt %s not played: %s", utterance.key, error)
                return
            current = self._current
        wait = getattr(current, "wait", None)
        if wait is not None:  # one prompt after the other, not on top of each other
            try:
                wait(timeout=30)
            except subprocess.TimeoutExpired:  # a stuck player is stopped, not waited for
                _stop(current)

    def _speaker_pool(self) -> ThreadPoolExecutor:
        if self._speaker is None:
            self._speaker = ThreadPoolExecutor(1, thread_name_prefix="voice-speak")
        return self._speaker

    def _preparer_pool(self) -> ThreadPoolExecutor:
        if self._preparer is None:
            self._preparer = ThreadPoolExecutor(1, thread_name_prefix="voice-prepare")
        return self._preparer


def _stop(process: Any) -> None:
    terminate = getattr(process, "terminate", None)
    if terminate is not None:
        with contextlib.suppress(OSError):
            terminate()


def voice_from(config: Config, tz: tzinfo) -> Voice:
    """The kiosk's voice from its ``voice.*`` settings; silent hours in the kiosk's time zone."""
    voice = Voice(VoiceSettings.from_config(config), now=lambda: datetime.now(tz).time())
    voice.prepare()
    return voice
