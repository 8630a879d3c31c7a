"""Test data for the fleet pages: heartbeats and faults over HTTP, and a month of history."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sync import wire
from sync.central import fleet_health, staff_wire
from sync.central.database import writing
from sync.central.fleet_health_tables import faults, uptime_spans
from tests.fixtures.central import Api, Central

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


def beat(
    kiosk: Api,
    state: str = "in_service",
    *,
    outbox_depth: int = 0,
    devices: dict[str, str] | None = None,
    faults: list[wire.FaultReport] | None = None,
    offline_since: datetime | None = None,
    software: str = "0.1.0",
) -> dict[str, Any]:
    reply = kiosk.post(
        "/heartbeat",
        wire.Heartbeat(
            state=state,  # type: ignore[arg-type]
            outbox_depth=outbox_depth,
            software_version=software,
            policy_version="central-3",
            offline_since=offline_since,
            devices=devices if devices is not None else {"rfid": "ready", "printer": "ready"},
            faults=faults or [],
        ),
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def fault(
    device: str,
    code: str,
    at: datetime,
    *,
    severity: str = "error",
    message: str = "",
    count: int = 1,
    cleared_at: datetime | None = None,
) -> wire.FaultReport:
    return wire.FaultReport(
        device=device,
        code=code,
        severity=severity,  # type: ignore[arg-type]
        message=message or code.replace("_", " "),
        first_at=at,
        last_at=at,
        count=count,
        cleared_at=cleared_at,
    )


def put_catalog(central: Central, piis: list[str], cards: list[str]) -> None:
    reply = central.staff.put(
        "/admin/items",
        staff_wire.ItemBatch([wire.ItemRecord(pii=p, title=f"书 {p}", branch="") for p in piis]),
    )
    assert reply.status_code == 200, reply.text
    reply = central.staff.put(
        "/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord(card_id=c) for c in cards])
    )
    assert reply.status_code == 200, reply.text


class Journal:
    """One kiosk's journal: transactions with increasing seq, as its sync daemon sends them."""

    def __init__(self, kiosk: Api) -> None:
        self.kiosk = kiosk
        self.seq = 0
        self.rows: list[wire.TransactionIn] = []

    def add(
        self, kind: str, item: str, card: str, at: datetime, decision: str = "online"
    ) -> wire.TransactionIn:
        self.seq += 1
        row = wire.TransactionIn(
            id=str(uuid.uuid4()),
            seq=self.seq,
            kind=kind,  # type: ignore[arg-type]
            patron_card=card,
            item_pii=item,
            at=at,
            decision=decision,  # type: ignore[arg-type]
            due_at=at + timedelta(days=28) if kind != "checkin" else None,
        )
        self.rows.append(row)
        return row

    def push(self) -> list[dict[str, Any]]:
        results = self.kiosk.push(*self.rows)
        self.rows = []
        return results


@dataclass(frozen=True)
class DemoFleet:
    """What ``demo_fleet`` made, for assertions on the pages."""

    kiosks: dict[str, Api]
    branches: dict[str, str]
    worst_by_faults: str
    worst_by_downtime: str


BRANCHES = {
    "dc-01": "东城书房 Dongcheng",
    "dc-02": "东城书房 Dongcheng",
    "xc-01": "西城书房 Xicheng",
    "xc-02": "西城书房 Xicheng",
    "hd-01": "海淀中心馆 Haidian Central",
    "hd-02": "海淀中心馆 Haidian Central",
    "hd-03": "海淀中心馆 Haidian Central",
}


def demo_fleet(central: Central, days: int = 45) -> DemoFleet:
    """Seven kiosks in three branches with ``days`` of history, then a live moment at START.

    Past service spans and faults go straight into the tables (a month of heartbeats over
    HTTP would take minutes); everything about the present goes through the real API.
    """
    now = central.clock.now()
    central.clock.set(now - timedelta(days=days))
    kiosks = {kid: central.enrol(kid, branch) for kid, branch in BRANCHES.items()}
    central.clock.set(now)
    rng = random.Random(8)
    spans: list[dict[str, Any]] = []
    past_faults: list[dict[str, Any]] = []
    for kid in BRANCHES:
        # hd-03 went silent two hours ago; the others beat until a few minutes ago.
        history_end = now - (timedelta(hours=2, minutes=10) if kid == "hd-03" else 10 * MINUTE)
        at = now - timedelta(days=days)
        # xc-02 is the ageing machine that fails often (the one readers complain about).
        fragile = kid == "xc-02"
        while at < history_end:
            length = timedelta(hours=rng.uniform(6, 40) if not fragile else rng.uniform(3, 14))
            end = min(at + length, history_end)
            spans.append({"kiosk_id": kid, "state": "in_service", "start_at": at, "end_at": end})
            gap = timedelta(minutes=rng.uniform(5, 90) if not fragile else rng.uniform(60, 600))
            if rng.random() < (0.5 if fragile else 0.12):
                code, device = rng.choice(
                    [
                        ("tag_write_failed", "rfid"),
                        ("paper_out", "printer"),
                        ("timeout", "rfid"),
                        ("disconnected", "scanner"),
                    ]
                )
                past_faults.append(
                    {
                        "kiosk_id": kid,
                        "device": device,
                        "code": code,
                        "severity": "error" if code != "timeout" else "warning",
                        "message": code.replace("_", " "),
                        "first_at": end,
                        "last_at": end + timedelta(minutes=3),
                        "count": rng.randint(1, 4),
                        "cleared_at": end + gap,
                        "reported_at": end + gap,
                    }
                )
            if rng.random() < 0.08:  # a technician took it out of service for a while
                spans.append(
                    {
                        "kiosk_id": kid,
                        "state": "out_of_service",
                        "start_at": end + gap / 2,
                        "end_at": end + gap,
                    }
                )
            at = end + gap
    with writing(central.engine) as conn:
        conn.execute(uptime_spans.insert(), spans)
        fleet_health.link_spans(conn)  # as the central links spans when they begin
        conn.execute(faults.insert(), past_faults)
    journals = _lending(central, kiosks, now, rng, days=21)
    # Two readers took the same book: one at xc-01, then (offline) one at dc-01 -> a conflict.
    journals["xc-01"].add("checkout", "3101000000", "2100000001", now - timedelta(hours=3))
    journals["dc-01"].add(
        "checkout", "3101000000", "2100000002", now - timedelta(hours=2), decision="offline"
    )
    for journal in (journals["xc-01"], journals["dc-01"]):
        journal.push()
    # A SIP2 site's kiosk reports a return its library system refused when it was replayed.
    refused = wire.UpstreamConflictIn(
        id="sip2-refused-1", seq=1, kind="checkout", patron_card="2100000003",
        item_pii="3101000042", at=now - timedelta(hours=1), decision="offline",
        source="sip2", reason="patron_blocked", message="读者证已挂失 Card reported lost",
        due_at=now + timedelta(days=27),
    )  # fmt: skip
    reply = kiosks["hd-01"].post("/upstream-conflicts", wire.UpstreamConflictBatch([refused]))
    assert reply.status_code == 200, reply.text
    # The present: most beat normally, one is out of service, one has a printer fault,
    # one has been silent for two hours, and one has an outbox waiting on a slow uplink.
    central.clock.set(now - timedelta(hours=2))
    beat(kiosks["hd-03"])
    central.clock.set(now)
    for kid, kiosk in kiosks.items():
        if kid != "hd-03":
            beat(kiosk, outbox_depth=12 if kid == "hd-02" else 0)
    beat(kiosks["dc-02"], "out_of_service")
    beat(
        kiosks["xc-02"],
        devices={"rfid": "ready", "printer": "error"},
        faults=[
            fault("printer", "paper_out", now - 4 * MINUTE, message="纸卷用完 paper roll empty")
        ],
    )
    central.clock.advance(MINUTE)
    return DemoFleet(
        kiosks=kiosks,
        branches=BRANCHES,
        worst_by_faults="xc-02",
        worst_by_downtime="xc-02",
    )


def _lending(
    central: Central, kiosks: dict[str, Api], now: datetime, rng: random.Random, days: int
) -> dict[str, Journal]:
    """Three weeks of loans, renewals and returns, busier at weekends.

    Returns and renewals only touch loans of earlier days, and each day is pushed before the
    next, so replaying across kiosks meets the loans in the order they happened.
    """
    cards = [f"2100{n:06d}" for n in range(40)]
    piis = [f"3101{n:06d}" for n in range(800)]
    put_catalog(central, piis, cards)
    free = piis[1:]  # the first is kept for a conflict
    on_loan: dict[str, str] = {}
    journals = {kid: Journal(api) for kid, api in kiosks.items() if kid != "hd-03"}
    for back in range(days, 0, -1):
        day = now - timedelta(days=back)
        weekend = day.weekday() >= 5
        earlier = sorted(on_loan)
        for kid, journal in journals.items():
            busy = 3 if kid.startswith("hd") else 1
            for n in range(rng.randint(2, 6) * busy * (2 if weekend else 1)):
                at = day + timedelta(minutes=7 * n + 1)
                roll = rng.random()
                if earlier and roll < 0.15:  # each earlier loan is touched at most once a day
                    item = earlier.pop(rng.randrange(len(earlier)))
                    journal.add("renew", item, on_loan[item], at)
                elif earlier and roll < 0.55:
                    item = earlier.pop(rng.randrange(len(earlier)))
                    journal.add("checkin", item, on_loan.pop(item), at)
                    free.insert(0, item)
                else:
                    item = free.pop()
                    card = rng.choice(cards)
                    journal.add("checkout", item, card, at)
                    on_loan[item] = card
        for journal in journals.values():
            results = journal.push() if journal.rows else []
            assert all(r["status"] == "accepted" for r in results), results
    return journals
