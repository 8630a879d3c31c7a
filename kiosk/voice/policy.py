"""When the kiosk may speak: on/off, volume and silent hours, from the ``voice.*`` settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import Config


def parse_spans(text: str) -> tuple[tuple[time, time], ...]:
    """``"22:00-07:00,12:00-13:30"`` -> spans; a span may cross midnight; ``""`` -> none."""
    spans = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, _, end = part.partition("-")
        spans.append((_hhmm(start), _hhmm(end)))
    return tuple(spans)


def _hhmm(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    h, m = int(hours), int(minutes)
    return time(23, 59, 59, 999999) if (h, m) == (24, 0) else time(h, m)


def in_spans(spans: tuple[tuple[time, time], ...], now: time) -> bool:
    for start, end in spans:
        if start <= end:
            if start <= now < end:
                return True
        elif now >= start or now < end:  # crosses midnight: 22:00-07:00
            return True
    return False


@dataclass(frozen=True)
class VoiceSettings:
    enabled: bool = True
    volume: int = 80  # percent of the rendered level
    silent_hours: str = ""
    speed: int = 175  # espeak-ng words per minute
    cache_folder: str = ""
    override_folder: str = ""

    @classmethod
    def from_config(cls, config: Config) -> VoiceSettings:
        return cls(
            enabled=config["voice.enabled"],
            volume=config["voice.volume"],
            silent_hours=config["voice.silent_hours"],
            speed=config["voice.speed"],
            cache_folder=config["voice.cache_folder"],
            override_folder=config["voice.override_folder"],
        )

    def silence_reason(self, local_now: time) -> str | None:
        """Why nothing is said at ``local_now`` ("off", "silent_hours", "volume_zero"), or None."""
        if not self.enabled:
            return "off"
        if self.volume <= 0:
            return "volume_zero"
        if in_spans(parse_spans(self.silent_hours), local_now):
            return "silent_hours"
        return None
