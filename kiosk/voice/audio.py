"""Rendered speech as files: cache names, level (RMS), length, and volume applied by scaling.

Plain ``wave`` and ``array`` (16-bit PCM), so a cached file already has the configured volume
and any player plays it as is; ``aplay`` has no volume option of its own.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path


def cache_name(*parts: object) -> str:
    """A file name for speech made from ``parts`` (text, voice, engine, speed, volume...)."""
    digest = hashlib.sha256("\0".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{digest[:24]}.wav"


@dataclass(frozen=True)
class Level:
    seconds: float
    rms: float  # 0..1 of full scale
    voiced_share: float  # share of 20 ms frames louder than 1 % of full scale


def measure(path: Path) -> Level:
    """Length and loudness of a 16-bit mono or stereo WAV."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path.name}: {8 * wav.getsampwidth()}-bit, expected 16-bit")
        rate, frames = wav.getframerate(), wav.getnframes()
        samples = array("h", wav.readframes(frames))
    if not samples:
        return Level(0.0, 0.0, 0.0)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768
    step = max(1, rate // 50)
    windows = [samples[i : i + step] for i in range(0, len(samples), step)]
    voiced = sum(1 for w in windows if max(abs(min(w)), abs(max(w))) > 327)
    return Level(frames / rate, rms, voiced / len(windows))


def write_scaled(source: Path, target: Path, volume_percent: int) -> None:
    """Copy a WAV to ``target`` at ``volume_percent`` of its level (16-bit PCM; other sample
    widths are copied unchanged). Written under a temporary name and renamed, so a player
    never finds half a file."""
    with wave.open(str(source), "rb") as wav:
        params = wav.getparams()
        data = wav.readframes(wav.getnframes())
    if params.sampwidth == 2 and volume_percent != 100:
        samples = array("h", data)
        factor = volume_percent / 100
        for i, s in enumerate(samples):
            samples[i] = max(-32768, min(32767, round(s * factor)))
        data = samples.tobytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        with wave.open(temp, "wb") as out:
            out.setparams(params)
            out.writeframes(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
