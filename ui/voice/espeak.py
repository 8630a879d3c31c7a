"""Speech synthesis with espeak-ng (Debian package espeak-ng), offline and in a child process.

espeak-ng renders a short prompt in well under a second; it still never runs on the UI
thread (``ui.voice`` calls it from its worker). The engine's version is part of every cache
name, so an upgraded espeak-ng renders the prompts afresh instead of mixing voices.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PROGRAM = "espeak-ng"


class SpeechError(RuntimeError):
    """espeak-ng is missing, failed, or produced no sound."""


class EspeakRenderer:
    def __init__(self, program: str | None = None, timeout_s: float = 20.0) -> None:
        self.program = program or shutil.which(PROGRAM) or ""
        self.timeout_s = timeout_s
        self._identity: str | None = None

    @property
    def available(self) -> bool:
        return bool(self.program) and os.access(self.program, os.X_OK)

    @property
    def identity(self) -> str:
        """``espeak-ng --version``'s first words: changes when the engine or its data change."""
        if self._identity is None:
            if not self.available:
                self._identity = "espeak-ng missing"
            else:
                out = subprocess.run(
                    [self.program, "--version"],
                    capture_output=True,
                    text=True,
                    timeout=self.timeout_s,
                    check=False,
                )
                self._identity = out.stdout.split("  Data at")[0].strip() or "espeak-ng"
        return self._identity

    def render(self, text: str, voice: str, target: Path, *, speed: int = 175) -> Path:
        """Write ``text`` spoken by ``voice`` to ``target`` (16-bit mono WAV, 22 050 Hz)."""
        if not text.strip():
            raise SpeechError("nothing to say: empty text")
        if not self.available:
            raise SpeechError("espeak-ng is not installed (Debian package espeak-ng)")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".part.wav")
        os.close(fd)
        try:
            result = subprocess.run(
                [self.program, "-v", voice, "-s", str(speed), "-w", temp, "--", text],
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
                check=False,
            )
            if result.returncode != 0 or Path(temp).stat().st_size <= 44:
                raise SpeechError(
                    f"espeak-ng voice {voice!r} failed ({result.returncode}): "
                    f"{result.stderr.strip()[:200]}"
                )
            os.replace(temp, target)
        finally:
            Path(temp).unlink(missing_ok=True)
        return target


def audio_device_present() -> bool:
    """Whether anything can be heard: an ALSA playback device or a PulseAudio/PipeWire server."""
    if os.environ.get("PULSE_SERVER"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime, "pulse", "native").exists():
        return True
    snd = Path("/dev/snd")
    return snd.is_dir() and any(
        p.name.startswith("pcmC") and p.name.endswith("p") for p in snd.iterdir()
    )
