"""When rooms are open for the alerts: the config's daily hours (also past midnight) and the
policy's weekly hours (the format ``kiosk.policy`` enforces: "09:00-12:00,14:00-18:00",
"closed"). Times are Shanghai's; 2026-11-24 is a Tuesday."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from sync.central.alerts.hours import OpeningHours, _spans

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, hours, minutes, tzinfo=TZ)


@pytest.mark.parametrize(
    ("when", "began"),
    [
        (at(24, "07:59"), None),
        (at(24, "08:00"), at(24, "08:00")),
        (at(24, "20:59"), at(24, "08:00")),
        (at(24, "21:00"), None),
    ],
)
def test_daily_hours(when: datetime, began: datetime | None) -> None:
    hours = OpeningHours(TZ, None, time(8, 0), time(21, 0))
    assert hours.opened_at(when) == began and hours.is_open(when) == (began is not None)


@pytest.mark.parametrize(
    ("when", "began"),
    [
        (at(24, "17:59"), None),
        (at(24, "18:00"), at(24, "18:00")),
        (at(25, "01:30"), at(24, "18:00")),  # past midnight: the opening began yesterday
        (at(25, "02:00"), None),
    ],
)
def test_daily_hours_past_midnight(when: datetime, began: datetime | None) -> None:
    hours = OpeningHours(TZ, None, time(18, 0), time(2, 0))
    assert hours.opened_at(when) == began


def test_weekly_hours_from_a_policy() -> None:
    weekly = {"tue": _spans("09:00-12:00,14:00-18:00"), "wed": _spans("closed"),
              "thu": _spans("00:00-24:00")}  # fmt: skip
    hours = OpeningHours(TZ, weekly, time(8, 0), time(21, 0))
    assert hours.source == "policy"
    assert hours.opened_at(at(24, "11:59")) == at(24, "09:00")
    assert not hours.is_open(at(24, "12:00")) and not hours.is_open(at(24, "13:59"))
    assert hours.opened_at(at(24, "14:00")) == at(24, "14:00")
    assert not hours.is_open(at(25, "10:00"))  # Wednesday: closed
    assert hours.opened_at(at(26, "23:59")) == at(26, "00:00")
    assert not hours.is_open(at(27, "10:00"))  # Friday not listed: closed
