"""Is a WAV plausible speech for its text? Loud enough, mostly voiced, and as long as the text.

Bounds from espeak-ng 1.51 at 175 words/min, measured over the whole catalogue (0.3–0.7 s per
spoken unit — a Chinese character, an English word or a number); the bounds are wide enough for
other speeds in 150–200 and tight enough that a truncated, silent or runaway file fails.
"""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.voice.audio import measure

RMS_FLOOR = 0.02  # of full scale; espeak-ng speech measures 0.08–0.11 at volume 100
VOICED_FLOOR = 0.4  # share of 20 ms frames above 1 % of full scale


def spoken_units(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]|[A-Za-z]+|\d+", text))


def duration_bounds(text: str) -> tuple[float, float]:
    n = spoken_units(text)
    return 0.15 * n + 0.2, 0.8 * n + 1.5


def speech_problems(path: Path, text: str, rms_floor: float = RMS_FLOOR) -> list[str]:
    """What is wrong with ``path`` as speech of ``text``; [] when nothing."""
    if spoken_units(text) == 0:
        return ["the text has nothing to say"]
    level = measure(path)
    low, high = duration_bounds(text)
    problems = []
    if level.rms < rms_floor:
        problems.append(f"too quiet: RMS {level.rms:.4f} < {rms_floor}")
    if level.voiced_share < VOICED_FLOOR:
        problems.append(f"mostly silence: {level.voiced_share:.0%} voiced")
    if not low <= level.seconds <= high:
        problems.append(f"{level.seconds:.2f} s outside {low:.2f}–{high:.2f} s")
    return problems
