"""Tunable numbers of the central service, each with its default and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sync.central.config import DEFAULT_TIMEZONE
from sync.central.request_guard import DEFAULT_MAX_BODY


@dataclass(frozen=True, slots=True)
class CentralSettings:
    #: No heartbeat for this long and a kiosk counts as offline (kiosks beat every ~60 s).
    online_window: timedelta = timedelta(minutes=3)
    #: Span the fleet's uptime, downtime and MTBF are computed over by default.
    health_window: timedelta = timedelta(days=7)
    #: Most changes one pull returns; a kiosk pages on with the cursor. 2000 rather than
    #: 1000: ~1.2x the rows/s on a first full pull (fewer requests), pages still ~0.5 MB.
    max_page: int = 2000
    #: Most journal rows one push may carry, so one request cannot hold the kiosk lock for long.
    max_batch: int = 5000
    #: Largest request body accepted (413 beyond it); see :mod:`sync.central.request_guard`.
    max_body_bytes: int = DEFAULT_MAX_BODY
    #: Fleet pages and statistics count days in the libraries' local time, not UTC.
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))

    @classmethod
    def from_options(cls, online_window_s: int, timezone: str) -> CentralSettings:
        """The settings ``shufang central serve`` takes on its command line."""
        return cls(online_window=timedelta(seconds=online_window_s), timezone=ZoneInfo(timezone))
