"""Every alert rule, one by one, against a live central (SQLite and PostgreSQL) and a local
WeCom robot: it stays silent before its threshold, is told once, reminded once after the quiet
period, told once when it clears; and one that starts at night is told once in the morning,
never during the night, its first reminder four hours after that.

The kiosk's state arrives through the real heartbeat API and conflicts through the real
transaction API; time moves with the central's injected clock (``kiosk.clock.ManualClock``).
START is 10:00 in Shanghai on a Tuesday, inside the default opening hours 08:00-21:00.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sync.central import staff_wire
from sync.central.alerts import channels as channel_module
from sync.central.alerts import engine as alert_engine
from sync.central.alerts.settings import AlertSettings, parse
from tests.fixtures.alert_receivers import Receiver
from tests.fixtures.central import START, Api, Central, seed, txn
from tests.fleet.fleetdata import beat, fault

TZ = ZoneInfo("Asia/Shanghai")
WINDOW = timedelta(minutes=3)
MINUTE = timedelta(minutes=1)


@dataclass
class Kiosk:
    """The kiosk under test and what the scenario remembers about it."""

    central: Central
    api: Api
    began: datetime
    conflict_id: int | None = None


@dataclass(frozen=True)
class Scenario:
    rule: str
    words: str  # what the message says, in Chinese
    delay: timedelta  # how long the condition holds before it is an alert
    begin: Callable[[Kiosk], None]  # make it hold (also each heartbeat while it holds)
    end: Callable[[Kiosk], None]  # make it clear
    heartbeats: bool = True  # the kiosk keeps beating while it holds
    #: A heartbeat says how many rows wait, not since when: "since" is when the central saw it.
    seen_since: bool = False


def _healthy(k: Kiosk) -> None:
    beat(k.api)


def _fault(k: Kiosk) -> None:
    beat(k.api, devices={"rfid": "error", "printer": "ready"},
         faults=[fault("rfid", "antenna_open", k.began, message="天线断开")])  # fmt: skip


def _fault_cleared(k: Kiosk) -> None:
    now = k.central.clock.now()
    beat(k.api, faults=[fault("rfid", "antenna_open", k.began, cleared_at=now)])


def _paper(k: Kiosk) -> None:
    beat(k.api, devices={"rfid": "ready", "printer": "error"},
         faults=[fault("printer", "paper_out", k.began, message="纸卷用完")])  # fmt: skip


def _paper_loaded(k: Kiosk) -> None:
    now = k.central.clock.now()
    beat(k.api, faults=[fault("printer", "paper_out", k.began, cleared_at=now)])


def _out_of_service(k: Kiosk) -> None:
    beat(k.api, state="out_of_service")


def _backlog_rows(k: Kiosk) -> None:
    beat(k.api, outbox_depth=750)


def _link_down(k: Kiosk) -> None:
    beat(k.api, outbox_depth=12, offline_since=k.began)


def _conflict(k: Kiosk) -> None:
    if k.conflict_id is None:
        seed(k.central)
        [result] = k.api.push(txn(1, "checkout", "NO-SUCH-BOOK", "P1", at=k.began))
        assert result["status"] == "conflict"
        k.conflict_id = result["conflict_id"]
    beat(k.api)


def _conflict_settled(k: Kiosk) -> None:
    reply = k.central.staff.post(
        f"/conflicts/{k.conflict_id}/resolve", staff_wire.ConflictResolution("dismiss", "已核对")
    )
    assert reply.status_code == 200, reply.text
    beat(k.api)


def _silent(k: Kiosk) -> None:
    pass


DEFAULTS = AlertSettings()
SCENARIOS = [
    Scenario("kiosk_offline", "设备离线", DEFAULTS.offline_after, _silent, _healthy, False),
    Scenario("device_fault", "外设故障", DEFAULTS.fault_after, _fault, _fault_cleared),
    Scenario("paper_out", "打印机缺纸", timedelta(0), _paper, _paper_loaded),
    Scenario(
        "out_of_service", "设备暂停服务", DEFAULTS.out_of_service_after, _out_of_service, _healthy
    ),
    Scenario("backlog", "数据待上传积压", timedelta(0), _backlog_rows, _healthy, seen_since=True),
    Scenario("backlog", "数据待上传积压", DEFAULTS.backlog_after, _link_down, _healthy),
    Scenario("new_conflict", "新的借还冲突", timedelta(0), _conflict, _conflict_settled),
]
IDS = [
    "offline", "fault", "paper", "out_of_service", "backlog_rows", "backlog_age", "conflict",
]  # fmt: skip


def run(central: Central, settings: AlertSettings) -> alert_engine.RunReport:
    report = alert_engine.run_once(
        central.engine, central.clock.now(), TZ, settings,
        channel_module.channels_for(settings), WINDOW,
    )  # fmt: skip
    assert report is not None
    return report


def step(k: Kiosk, scenario: Scenario, by: timedelta) -> None:
    """Let time pass with the condition holding (the kiosk beats unless it is the silent one)."""
    k.central.clock.advance(by)
    if scenario.heartbeats:
        scenario.begin(k)


def lines(text: str, scenario: Scenario) -> list[str]:
    return [line for line in text.splitlines() if scenario.words in line]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_a_rule_alerts_once_reminds_once_and_resolves_once(
    central: Central, robots: Receiver, scenario: Scenario
) -> None:
    settings = parse({"wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")]})
    k = Kiosk(central, central.enrol("dc-01", "东城书房"), central.clock.now())
    beat(k.api)
    scenario.begin(k)
    if scenario.delay:
        step(k, scenario, scenario.delay - MINUTE)
        assert run(central, settings).opened == 0 and robots.requests == []
        step(k, scenario, MINUTE)
    else:
        step(k, scenario, MINUTE)
    report = run(central, settings)
    assert (report.opened, report.failed) == (1, {}), report
    [told] = robots.wecom()
    [line] = lines(told, scenario)
    assert "新告警" in line and "dc-01（东城书房）" in line
    began = central.clock.now() if scenario.seen_since else k.began
    since = began.astimezone(TZ).strftime("%m-%d %H:%M")
    assert f"自 {since}" in line  # local time of the city, from when it began

    step(k, scenario, 10 * MINUTE)
    assert run(central, settings).opened == 0 and len(robots.wecom()) == 1

    # The quiet period after the last message: one reminder, then quiet again.
    step(k, scenario, settings.remind_after - 20 * MINUTE)
    assert run(central, settings).reminded == 0
    step(k, scenario, 10 * MINUTE)
    assert run(central, settings).reminded == 1
    assert "仍未解决" in lines(robots.wecom()[-1], scenario)[0]
    step(k, scenario, 10 * MINUTE)
    assert run(central, settings).reminded == 0 and len(robots.wecom()) == 2

    central.clock.advance(MINUTE)
    scenario.end(k)
    assert run(central, settings).resolved == 1
    [line] = lines(robots.wecom()[-1], scenario)
    assert "已恢复" in line and "dc-01" in line
    central.clock.advance(MINUTE)
    beat(k.api)
    after = run(central, settings)
    assert (after.opened, after.resolved, len(robots.wecom())) == (0, 0, 3)
    assert all(not r["problems"] for r in robots.requests)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_a_rule_that_begins_at_night_is_told_once_in_the_morning(
    central: Central, robots: Receiver, scenario: Scenario
) -> None:
    settings = parse({"wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")]})
    central.clock.set(START + timedelta(hours=12))  # 22:00 local, the rooms are closed
    k = Kiosk(central, central.enrol("dc-01", "东城书房"), central.clock.now())
    beat(k.api)
    scenario.begin(k)
    for _ in range(10):  # the loop runs all night: 22:00 … 07:00
        report = run(central, settings)
        assert report.quiet and report.reminded == 0 and robots.requests == []
        step(k, scenario, timedelta(hours=1))
    morning = START + timedelta(hours=22)  # 08:00 local
    central.clock.set(morning)
    if scenario.heartbeats:
        scenario.begin(k)
    for _ in range(7):  # every 5 minutes, 08:00 … 08:30
        assert not run(central, settings).quiet
        step(k, scenario, 5 * MINUTE)
    [told] = robots.wecom()
    [line] = lines(told, scenario)
    assert "新告警" in line and "仍未解决" not in told
    if scenario.rule == "kiosk_offline":
        # Off since 22:00 is normal; not back 15 minutes after opening is not.
        assert "自 11-24 22:00" in line
    # The first reminder is four hours after the morning's message, not at once.
    step(k, scenario, settings.remind_after - timedelta(minutes=40))
    assert run(central, settings).reminded == 0
    step(k, scenario, timedelta(minutes=20))
    assert run(central, settings).reminded == 1 and len(robots.wecom()) == 2


def test_the_policys_opening_hours_decide_when_a_silent_kiosk_is_offline(
    central: Central, robots: Receiver
) -> None:
    """The rooms' own hours (the policy the kiosks enforce) beat the config's 08:00-21:00:
    closed over lunch and on Wednesdays, so a kiosk switched off then is no alert."""
    document = {
        "enforce_hours": True,
        "hours": {"mon": "09:00-21:00", "tue": "09:00-12:00,14:00-18:00", "wed": "closed",
                  "thu": "09:00-21:00", "fri": "09:00-21:00", "sat": "09:00-17:00",
                  "sun": "closed"},
    }  # fmt: skip
    assert central.staff.put("/admin/policy", staff_wire.PolicyIn(document)).status_code == 200
    settings = parse({"wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")]})
    kiosk = central.enrol("dc-01", "东城书房")
    central.clock.set(START + timedelta(hours=1, minutes=50))  # Tuesday 11:50 local
    beat(kiosk)
    central.clock.advance(timedelta(minutes=10))  # 12:00: the lunch break, by the policy
    for _ in range(12):  # every 10 minutes until 14:00: closed, quiet
        report = run(central, settings)
        assert report.quiet and report.opened == 0
        central.clock.advance(timedelta(minutes=10))
    # 14:00 open again; still silent at 14:15: offline for 15 minutes of opening time.
    assert central.clock.now().astimezone(TZ).strftime("%H:%M") == "14:00"
    assert run(central, settings).opened == 0
    central.clock.advance(timedelta(minutes=15))
    assert run(central, settings).opened == 1
    [told] = robots.wecom()
    assert "设备离线" in told and "自 11-24 11:50" in told
    beat(kiosk)
    assert run(central, settings).resolved == 1
    # Wednesday is closed all day by the policy, though the config says 08:00-21:00.
    central.clock.set(START + timedelta(days=1, hours=2))  # Wednesday 12:00 local
    report = run(central, settings)
    assert report.quiet and report.opened == 0 and len(robots.wecom()) == 2
    # A policy that does not enforce hours leaves the config's hours in force.
    document["enforce_hours"] = False
    assert central.staff.put("/admin/policy", staff_wire.PolicyIn(document)).status_code == 200
    assert not run(central, settings).quiet


def test_a_fault_on_a_closed_weekend_is_told_on_monday_morning(
    central: Central, robots: Receiver
) -> None:
    """Closed Saturday and Sunday by the policy: paper runs out on Saturday (a cleaner prints
    a test page), and the first message is Monday at opening, two days later, once."""
    days = {d: "09:00-21:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    document = {"enforce_hours": True, "hours": {**days, "sat": "closed", "sun": "closed"}}
    assert central.staff.put("/admin/policy", staff_wire.PolicyIn(document)).status_code == 200
    settings = parse({"wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")]})
    kiosk = central.enrol("dc-01", "东城书房")
    saturday = START + timedelta(days=4)  # Saturday 10:00 local
    central.clock.set(saturday)
    beat(kiosk, devices={"printer": "error"},
         faults=[fault("printer", "paper_out", saturday, message="纸卷用完")])  # fmt: skip
    while central.clock.now() < START + timedelta(days=6, hours=-1):  # until Monday 09:00
        report = run(central, settings)
        assert report.quiet and robots.requests == []
        central.clock.advance(timedelta(hours=3))
        beat(kiosk, devices={"printer": "error"},
             faults=[fault("printer", "paper_out", saturday, message="纸卷用完")])  # fmt: skip
    central.clock.set(START + timedelta(days=6, hours=-1))
    beat(kiosk, devices={"printer": "error"},
         faults=[fault("printer", "paper_out", saturday, message="纸卷用完")])  # fmt: skip
    assert not run(central, settings).quiet
    [told] = robots.wecom()
    assert "打印机缺纸" in told and "自 11-28 10:00" in told and "仍未解决" not in told
    central.clock.advance(timedelta(minutes=5))
    beat(kiosk, devices={"printer": "error"},
         faults=[fault("printer", "paper_out", saturday, message="纸卷用完")])  # fmt: skip
    run(central, settings)
    assert len(robots.wecom()) == 1


def test_turning_alerts_on_does_not_announce_old_conflicts(
    central: Central, robots: Receiver
) -> None:
    """Only new conflicts alert; one that was told stays an alert until it is settled, even
    past the day that makes a conflict "new"."""
    settings = parse({"wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")]})
    seed(central)
    kiosk = central.enrol("dc-01", "东城书房")
    [old] = kiosk.push(txn(1, "checkout", "OLD-BOOK", "P1", at=central.clock.now()))
    central.clock.advance(timedelta(days=3))  # alerts are turned on three days later
    beat(kiosk)
    assert run(central, settings).opened == 0
    [new] = kiosk.push(txn(2, "checkout", "NEW-BOOK", "P1", at=central.clock.now()))
    assert old["status"] == new["status"] == "conflict"
    beat(kiosk)
    assert run(central, settings).opened == 1
    [told] = robots.wecom()
    assert f"#{new['conflict_id']}" in told and "NEW-BOOK" in told and "OLD-BOOK" not in told
    for _ in range(3):  # a day and a half later it is still open: reminders, no "resolved"
        central.clock.advance(timedelta(hours=12))
        beat(kiosk)
        assert run(central, settings).resolved == 0
    reply = central.staff.post(
        f"/conflicts/{new['conflict_id']}/resolve",
        staff_wire.ConflictResolution("dismiss", "已核对"),
    )
    assert reply.status_code == 200
    central.clock.set(START + timedelta(days=5))  # Sunday 10:00 local: open by the config
    beat(kiosk)
    assert run(central, settings).resolved == 1
    assert "已恢复" in robots.wecom()[-1] and "NEW-BOOK" in robots.wecom()[-1]
