"""What the fleet pages show, read from the database: kiosk states, rankings, one kiosk's history.

Built on ``fleet_health.fleet`` so the pages and the ``/fleet`` API never disagree on a number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import branches, conflict_records, fleet_health, staff_wire
from sync.central.fleet_health_tables import faults, uptime_spans
from sync.central.runtime import Runtime

#: Device states that still lend books; anything else a kiosk reports is a device fault.
HEALTHY_DEVICE_STATES = frozenset({"ready", "ok", "connecting"})
#: Most urgent first: the order of the fleet overview and of its counts.
STATE_ORDER = (
    "device_fault",
    "offline",
    "out_of_service",
    "backlog",
    "never_seen",
    "in_service",
    "revoked",
)
#: Rows waiting in a working kiosk's outbox that make it worth a look: an hour of a busy
#: room's lending that the central (and the reader's account) does not have yet.
BACKLOG_ROWS = 100
RANKING_DAYS = (30, 90, 365)
RANKING_SIZE = 10


@dataclass(frozen=True, slots=True)
class KioskRow:
    status: staff_wire.KioskStatus
    state: str

    @property
    def faulty_devices(self) -> list[str]:
        return sorted(
            name
            for name, value in self.status.devices.items()
            if value not in HEALTHY_DEVICE_STATES
        )


def kiosk_state(status: staff_wire.KioskStatus) -> str:
    """One word for a manager: revoked, never seen, offline, out of service, fault, in service.

    Offline wins over everything the kiosk last said, because that may no longer be true.
    """
    if status.revoked:
        return "revoked"
    if status.last_seen_at is None:
        return "never_seen"
    if not status.online:
        return "offline"
    if status.state == "out_of_service":
        return "out_of_service"
    failing = any(f.severity in fleet_health.FAILURE_SEVERITIES for f in status.open_faults)
    if failing or any(v not in HEALTHY_DEVICE_STATES for v in status.devices.values()):
        return "device_fault"
    if status.outbox_depth >= BACKLOG_ROWS:
        return "backlog"
    return "in_service"


def _statuses(
    conn: Connection, rt: Runtime, window: timedelta, now: datetime
) -> list[staff_wire.KioskStatus]:
    return fleet_health.fleet(conn, now, rt.settings.online_window, window)


@dataclass(frozen=True, slots=True)
class OverviewRow:
    row: KioskRow
    district: str

    @property
    def status(self) -> staff_wire.KioskStatus:
        return self.row.status

    @property
    def state(self) -> str:
        return self.row.state

    @property
    def device_kinds(self) -> set[str]:
        """The device kinds with a problem: an open fault or a state that is not healthy."""
        return {f.device for f in self.status.open_faults} | set(self.row.faulty_devices)


@dataclass(frozen=True, slots=True)
class Filters:
    state: str = ""
    district: str = ""
    device: str = ""
    version: str = ""
    q: str = ""

    def matches(self, row: OverviewRow) -> bool:
        s = row.status
        needle = self.q.strip().casefold()
        return (
            (not self.state or row.state == self.state)
            and (not self.district or row.district == self.district)
            and (not self.device or self.device in row.device_kinds)
            and (not self.version or (s.software_version or "") == self.version)
            and (
                not needle
                or needle in s.kiosk_id.casefold()
                or needle in s.branch.casefold()
                or needle in row.district.casefold()
            )
        )

    def query(self, **changes: str) -> str:
        """This filter's query string with ``changes`` applied (empty values left out)."""
        values = {
            "state": self.state, "district": self.district, "device": self.device,
            "version": self.version, "q": self.q, **changes,
        }  # fmt: skip
        return "&".join(f"{k}={quote(v, safe='')}" for k, v in values.items() if v)


@dataclass(frozen=True, slots=True)
class Overview:
    rows: list[OverviewRow]  # after the filters, most urgent first
    total: int  # kiosks before any filter
    counts: Counter[str]  # per state, with every filter but the state applied
    districts: list[str]
    devices: list[str]
    versions: list[str]


def overview(conn: Connection, rt: Runtime, now: datetime, filters: Filters) -> Overview:
    """The whole fleet in one table, the kiosks that need someone first.

    Within a state: the longest offline or longest-faulty first (they have waited longest),
    then by district, branch and kiosk.
    """
    district_of = branches.districts(conn)
    everything = [
        OverviewRow(KioskRow(s, kiosk_state(s)), district_of.get(s.branch, ""))
        for s in _statuses(conn, rt, rt.settings.health_window, now)
    ]
    unstated = replace(filters, state="")
    counts = Counter(r.state for r in everything if unstated.matches(r))
    rows = [r for r in everything if filters.matches(r)]
    rows.sort(key=lambda r: (STATE_ORDER.index(r.state), _since(r, now), r.district,
                             r.status.branch, r.status.kiosk_id))  # fmt: skip
    return Overview(
        rows=rows,
        total=len(everything),
        counts=counts,
        districts=sorted({r.district for r in everything if r.district}),
        devices=sorted({d for r in everything for d in r.status.devices} | {
            d for r in everything for d in r.device_kinds}),
        versions=sorted({r.status.software_version for r in everything
                         if r.status.software_version}),
    )  # fmt: skip


def _since(row: OverviewRow, now: datetime) -> float:
    """Minus how long the problem has lasted, so the oldest problem sorts first."""
    s = row.status
    if row.state == "offline" and s.last_seen_at is not None:
        return -(now - s.last_seen_at).total_seconds()
    if row.state == "device_fault" and s.open_faults:
        return -(now - min(f.first_at for f in s.open_faults)).total_seconds()
    return 0.0


@dataclass(frozen=True, slots=True)
class Ranked:
    status: staff_wire.KioskStatus
    faults: int
    last_fault_at: datetime | None


@dataclass(frozen=True, slots=True)
class Ranking:
    days: int
    by_faults: list[Ranked]
    by_downtime: list[Ranked]


def ranking(conn: Connection, rt: Runtime, days: int, now: datetime) -> Ranking:
    """The machines with most faults and most downtime over ``days``; revoked ones left out."""
    start = now - timedelta(days=days)
    last_fault: dict[str, datetime] = {
        row.kiosk_id: row.last
        for row in conn.execute(
            sa.select(faults.c.kiosk_id, sa.func.max(faults.c.last_at).label("last"))
            .where(faults.c.last_at >= start)
            .group_by(faults.c.kiosk_id)
        )
    }
    ranked = [
        Ranked(s, sum(s.faults_by_device.values()), last_fault.get(s.kiosk_id))
        for s in _statuses(conn, rt, timedelta(days=days), now)
        if not s.revoked
    ]
    by_faults = sorted(
        (r for r in ranked if r.faults),
        key=lambda r: (-r.faults, -r.status.failures, -r.status.downtime_seconds),
    )
    by_downtime = sorted(
        (r for r in ranked if r.status.downtime_seconds > 0),
        key=lambda r: (-r.status.downtime_seconds, r.status.kiosk_id),
    )
    return Ranking(days, by_faults[:RANKING_SIZE], by_downtime[:RANKING_SIZE])


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one state on the service-history strip: in_service, out_of_service, offline."""

    start: datetime
    end: datetime
    state: str


@dataclass(frozen=True, slots=True)
class DeviceHistory:
    device: str
    status: str | None
    faults_by_days: dict[int, int]
    last_fault: staff_wire.FaultRecord | None


@dataclass(frozen=True, slots=True)
class KioskDetail:
    row: KioskRow
    start: datetime
    end: datetime
    segments: list[Segment]
    faults: list[staff_wire.FaultRecord]
    devices: list[DeviceHistory]
    conflicts: list[staff_wire.ConflictRecord]


def kiosk_detail(
    conn: Connection, rt: Runtime, kiosk_id: str, days: int, now: datetime
) -> KioskDetail | None:
    """One kiosk's service history and fault timeline over ``days``, and its devices' record."""
    status = next(
        (s for s in _statuses(conn, rt, rt.settings.health_window, now) if s.kiosk_id == kiosk_id),
        None,
    )
    if status is None:
        return None
    start = now - timedelta(days=days)
    year_ago = now - timedelta(days=max(RANKING_DAYS))
    recent = fleet_health.list_faults(
        conn, kiosk_id=kiosk_id, since=min(start, year_ago), limit=5000
    )
    return KioskDetail(
        row=KioskRow(status, kiosk_state(status)),
        start=start,
        end=now,
        segments=segments(conn, kiosk_id, start, now, rt.settings.online_window),
        faults=[f for f in recent if f.last_at >= start],
        devices=_device_history(status, recent, now),
        conflicts=conflict_records.list_conflicts(
            conn, open_only=True, kiosk_id=kiosk_id, limit=100
        ),
    )


def segments(
    conn: Connection, kiosk_id: str, start: datetime, end: datetime, online_window: timedelta
) -> list[Segment]:
    """Heartbeat spans as the same up/down stretches ``fleet_health.availability`` counts."""
    spans = conn.execute(
        sa.select(uptime_spans)
        .where(
            uptime_spans.c.kiosk_id == kiosk_id,
            uptime_spans.c.end_at >= start - online_window,
            uptime_spans.c.start_at <= end,
        )
        .order_by(uptime_spans.c.start_at, uptime_spans.c.id)
    ).all()
    out: list[Segment] = []
    cursor = start
    for index, span in enumerate(spans):
        until = span.end_at + online_window
        if index + 1 < len(spans):
            until = min(until, spans[index + 1].start_at)
        lo, hi = max(span.start_at, start), min(until, end)
        if hi <= lo:
            continue
        if lo > cursor:
            out.append(Segment(cursor, lo, "offline"))
        out.append(Segment(lo, hi, span.state))
        cursor = hi
    if cursor < end:
        out.append(Segment(cursor, end, "offline"))
    return out


def _device_history(
    status: staff_wire.KioskStatus, recent: list[staff_wire.FaultRecord], now: datetime
) -> list[DeviceHistory]:
    by_device: dict[str, list[staff_wire.FaultRecord]] = defaultdict(list)
    for fault in recent:
        by_device[fault.device].append(fault)
    names = sorted(set(status.devices) | set(by_device))
    return [
        DeviceHistory(
            device=name,
            status=status.devices.get(name),
            faults_by_days={
                days: sum(1 for f in by_device[name] if f.last_at >= now - timedelta(days=days))
                for days in RANKING_DAYS
            },
            last_fault=max(by_device[name], key=lambda f: f.last_at, default=None),
        )
        for name in names
    ]


def mask_card(card: str) -> str:
    """Enough of a card for staff to match it with the reader in front of them, no more."""
    if len(card) <= 4:
        return "*" * len(card)
    return "*" * min(len(card) - 4, 6) + card[-4:]
