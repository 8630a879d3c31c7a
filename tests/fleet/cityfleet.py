"""A city's fleet for the overview at scale: 300 kiosks in 30 districts with months of history.

History (service spans, cleared faults) goes straight into the tables, as ``demo_fleet``
does: a year of heartbeats over HTTP would take hours. The present moment of the kiosks that
matter to the tests (the faulty one, the silent ones) goes through the real heartbeat API.
The one faulty kiosk is deliberately in a district and branch that sort late by name, where
the old page (one card per branch, by name) put it thousands of pixels down.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from sync.central import auth, branches, staff_wire
from sync.central.database import writing
from sync.central.fleet_health_tables import faults, uptime_spans
from sync.central.schema import kiosks
from tests.fixtures.central import Api, Central
from tests.fleet.fleetdata import MINUTE, beat, fault

#: Real district names (Beijing's 16 and 14 of Guangzhou's and Wenzhou's), for realistic width.
DISTRICTS = (
    "东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "门头沟区", "房山区",
    "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区",
    "天河区", "越秀区", "海珠区", "荔湾区", "白云区", "黄埔区", "番禺区", "花都区",
    "南沙区", "从化区", "增城区", "鹿城区", "瓯海区", "龙湾区",
)  # fmt: skip
ROOM_WORDS = ("图书馆", "城市书房", "社区书房", "街道书房", "文化站")
DEVICES = ("rfid", "printer", "scanner", "card")


@dataclass(frozen=True, slots=True)
class CityFleet:
    kiosk_ids: list[str]
    district_of_kiosk: dict[str, str]
    faulty: str  # the one kiosk with a device fault now
    offline: list[str]  # silent for hours
    out_of_service: list[str]
    backlog: str
    apis: dict[str, Api]


def seed_city(
    central: Central, *, kiosk_count: int = 300, district_count: int = 30, days: int = 90
) -> CityFleet:
    rng = random.Random(30)
    now = central.clock.now()
    districts = DISTRICTS[:district_count]
    per_district = kiosk_count // district_count
    kiosk_branch: dict[str, str] = {}
    district_of: dict[str, str] = {}
    for d, district in enumerate(districts):
        for n in range(per_district):
            branch = f"{district[:-1]}{ROOM_WORDS[n // 2 % len(ROOM_WORDS)]}{n // 2 + 1}"
            kid = f"d{d + 1:02d}-k{n + 1:02d}"
            kiosk_branch[kid] = branch
            district_of[kid] = district
    ids = sorted(kiosk_branch)
    with writing(central.engine) as conn:
        tokens = {
            kid: auth.enrol_kiosk(conn, kid, kiosk_branch[kid], now - timedelta(days=days))
            for kid in ids
        }
        branches.set_districts(
            conn,
            [staff_wire.BranchRecord(kiosk_branch[k], district_of[k]) for k in ids],
            now,
        )
    # Late in every name order: the last district's last kiosk.
    faulty = ids[-1]
    offline = [ids[len(ids) // 3], ids[len(ids) // 2 + 7], ids[-15]]
    out_of_service = [ids[len(ids) // 7], ids[len(ids) * 2 // 3]]
    backlog = ids[len(ids) * 2 // 5]
    spans: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for kid in ids:
        fragile = kid == faulty or rng.random() < 0.05
        at = now - timedelta(days=days)
        end_of_history = now - (timedelta(hours=3) if kid in offline else 2 * MINUTE)
        while at < end_of_history:
            end = min(at + timedelta(hours=rng.uniform(3, 14) if fragile else rng.uniform(8, 60)),
                      end_of_history)  # fmt: skip
            spans.append({"kiosk_id": kid, "state": "in_service", "start_at": at, "end_at": end})
            gap = timedelta(minutes=rng.uniform(60, 400) if fragile else rng.uniform(2, 40))
            if rng.random() < (0.4 if fragile else 0.05):
                code, device = rng.choice(
                    [("tag_write_failed", "rfid"), ("paper_out", "printer"),
                     ("timeout", "rfid"), ("disconnected", "scanner")]
                )  # fmt: skip
                past.append({
                    "kiosk_id": kid, "device": device, "code": code,
                    "severity": "warning" if code == "timeout" else "error",
                    "message": code.replace("_", " "), "first_at": end,
                    "last_at": end + 3 * MINUTE, "count": rng.randint(1, 4),
                    "cleared_at": end + gap, "reported_at": end + gap,
                })  # fmt: skip
            at = end + gap
    for span, after in zip(spans, [*spans[1:], None], strict=True):  # as the central links them
        same = after is not None and after["kiosk_id"] == span["kiosk_id"]
        span["next_start_at"] = after["start_at"] if same else None
    with writing(central.engine) as conn:
        for start in range(0, len(spans), 5000):
            conn.execute(uptime_spans.insert(), spans[start : start + 5000])
        if past:
            conn.execute(faults.insert(), past)
        # The present of the ordinary kiosks, as their last heartbeat left it.
        quiet = set(offline) | {faulty, backlog} | set(out_of_service)
        conn.execute(
            kiosks.update()
            .where(kiosks.c.kiosk_id.in_([k for k in ids if k not in quiet]))
            .values(
                last_seen_at=now - MINUTE,
                state="in_service",
                software_version=sa.case((kiosks.c.kiosk_id.like("d0%"), "1.4.2"), else_="1.5.0"),
                policy_version="central-12",
                devices={d: "ready" for d in DEVICES},
            )
        )
    apis = {kid: Api(central.url, tokens[kid]) for kid in quiet}
    clock = central.clock
    clock.set(now - timedelta(hours=3))
    for kid in offline:
        beat(apis[kid], software="1.5.0", devices={d: "ready" for d in DEVICES})
    clock.set(now - MINUTE)
    for kid in out_of_service:
        beat(apis[kid], "out_of_service", software="1.5.0")
    beat(apis[backlog], outbox_depth=420, software="1.5.0")
    beat(
        apis[faulty],
        software="1.5.0",
        devices={"rfid": "ready", "printer": "error", "scanner": "ready", "card": "ready"},
        faults=[
            fault("printer", "paper_out", now - 20 * MINUTE, message="纸卷用完 paper roll empty")
        ],
    )
    clock.set(now)
    return CityFleet(ids, district_of, faulty, offline, out_of_service, backlog, apis)
