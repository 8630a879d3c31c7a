"""Short sound cues for success and problems, made at start-up and played without blocking.

The cues are generated (two soft sine chimes), so nothing is bundled or licensed, and played
by the system's ALSA or PulseAudio player in a child process, so a slow or missing sound
device can never hold up the screen. With ``ui.sounds = false`` nothing is played.
"""

from __future__ import annotations

import logging
import math
import shutil
import struct
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable
from functools import partial
from pathlib import Path

from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason

log = logging.getLogger(__name__)

RATE = 22_050
CUES = {
    "ok": ((880.0, 0.09), (1318.5, 0.14)),  # rising fifth: done
    "problem": ((523.3, 0.16), (392.0, 0.22)),  # falling fourth: look at the screen
    "attention": ((659.3, 0.14), (659.3, 0.14), (784.0, 0.2)),  # idle warning: still there?
    # done, and one more step: the rising fifth, then a held middle note (read the screen)
    "look": ((880.0, 0.09), (1318.5, 0.14), (987.8, 0.26)),
}


def cue_for(outcome: Outcome) -> str:
    """The cue an item's outcome plays.

    A return that worked but asks the reader to put the book somewhere (a hold shelf, a box
    for another library or for staff) is not the plain "done" of a return: the reader must
    read the screen, and a falling "problem" would say it failed. An offer (a charge to
    accept, "already yours: renew?") is a question, not a failure, either.
    """
    if outcome.kind is OutcomeKind.OFFER:
        return "look"
    if not outcome.ok:
        return "problem"
    if outcome.reason in (Reason.OK, Reason.NOT_ON_LOAN):
        return "ok"
    return "look"


Player = Callable[[Path], None]


def chime(notes: tuple[tuple[float, float], ...], volume: float = 0.35) -> bytes:
    """16-bit mono PCM of the notes in turn, each with a short fade to avoid clicks."""
    frames = bytearray()
    for frequency, seconds in notes:
        count = int(RATE * seconds)
        fade = max(1, int(RATE * 0.01))
        for n in range(count):
            envelope = min(1.0, n / fade, (count - n) / fade)
            sample = volume * envelope * math.sin(2 * math.pi * frequency * n / RATE)
            frames += struct.pack("<h", int(sample * 32767))
    return bytes(frames)


def write_cues(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, notes in CUES.items():
        path = folder / f"{name}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(chime(notes))
        paths[name] = path
    return paths


def system_player() -> Player | None:
    """aplay (ALSA) or paplay (PulseAudio), whichever the kiosk has; None when neither."""
    for program, args in (("paplay", []), ("aplay", ["-q"])):
        found = shutil.which(program)
        if found:
            return partial(_play_with, [found, *args])
    return None


def _play_with(program: list[str], path: Path) -> None:
    """Play ``path`` with ``program`` (the player and its options)."""
    _play_in_background([*program, str(path)])


def _play_in_background(command: list[str]) -> None:
    """Start the player and reap it from a thread, so the loan never waits for the chime
    and no finished player is left behind as a zombie (or an unreaped ``Popen``)."""
    player = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    threading.Thread(target=player.wait, name="sound-cue", daemon=True).start()


class Sounds:
    def __init__(
        self, enabled: bool, player: Player | None = None, folder: Path | None = None
    ) -> None:
        self.enabled = enabled
        self.player = player if player is not None else (system_player() if enabled else None)
        if enabled and self.player is None:
            log.info("no sound player found (aplay/paplay): sound cues are off")
        self.paths = (
            write_cues(folder or Path(tempfile.mkdtemp(prefix="shufang-cues-")))
            if enabled and self.player is not None
            else {}
        )

    def play(self, cue: str) -> None:
        if not self.enabled or self.player is None or cue not in self.paths:
            return
        try:
            self.player(self.paths[cue])
        except OSError as error:  # a broken sound device must not disturb a loan
            log.warning("sound cue failed: %s", error)
