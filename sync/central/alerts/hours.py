"""When the rooms are open, for the alerts: from the loan policy when it sets opening hours,
else from ``[alerts] opening_hours``.

The policy's ``hours`` (per weekday, like ``"09:00-12:00,14:00-21:00"`` or ``"closed"``) are
what the kiosks enforce when ``enforce_hours`` is on, so they are the rooms' real hours: a
kiosk silent on a closed Monday is not offline, and nobody is woken for it. A policy that does
not enforce hours says nothing about them (its default is "always open"), so the config's
daily hours apply then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.policy import WEEKDAYS
from sync.central.alerts.settings import AlertSettings
from sync.central.schema import policies


@dataclass(frozen=True, slots=True)
class OpeningHours:
    tz: ZoneInfo
    #: weekday -> [(start, end) minutes of the local day]; None: the config's daily hours
    weekly: dict[str, tuple[tuple[int, int], ...]] | None
    opens: time
    closes: time

    @property
    def source(self) -> str:
        return "policy" if self.weekly is not None else "config"

    def is_open(self, at: datetime) -> bool:
        return self.opened_at(at) is not None

    def opened_at(self, at: datetime) -> datetime | None:
        """When the opening that ``at`` falls in began (local time); None when closed."""
        local = at.astimezone(self.tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        minute = local.hour * 60 + local.minute
        if self.weekly is None:
            start = local.replace(
                hour=self.opens.hour, minute=self.opens.minute, second=0, microsecond=0
            )
            if self.opens <= self.closes:
                return start if self.opens <= local.time() < self.closes else None
            if local.time() >= self.opens:  # open past midnight
                return start
            return start - timedelta(days=1) if local.time() < self.closes else None
        for first, last in self.weekly.get(WEEKDAYS[local.weekday()], ()):
            if first <= minute < last:
                return midnight + timedelta(minutes=first)
        return None


def _spans(spec: object) -> tuple[tuple[int, int], ...]:
    if not isinstance(spec, str) or spec == "closed":
        return ()
    found = []
    for part in spec.split(","):
        first, last = part.split("-")
        found.append((_minutes(first), _minutes(last)))
    return tuple(found)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.strip().split(":")
    return int(hours) * 60 + int(minutes)


def opening_hours(conn: Connection, tz: ZoneInfo, settings: AlertSettings) -> OpeningHours:
    """The hours that apply now: the latest policy's when it enforces them, else the config's."""
    document = conn.execute(
        sa.select(policies.c.document).order_by(policies.c.version.desc()).limit(1)
    ).scalar()
    weekly = None
    if isinstance(document, dict) and document.get("enforce_hours"):
        hours = document.get("hours")
        if isinstance(hours, dict):
            try:  # the central checked the policy when it was set; a closed day is ()
                weekly = {day: _spans(hours.get(day, "closed")) for day in WEEKDAYS}
            except ValueError:
                weekly = None
    return OpeningHours(tz, weekly, settings.opens, settings.closes)


def from_settings(tz: ZoneInfo, settings: AlertSettings) -> OpeningHours:
    return OpeningHours(tz, None, settings.opens, settings.closes)
