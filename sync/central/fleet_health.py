"""Fleet health from heartbeats: online or not, faults per device, uptime, downtime and MTBF.

Times are the central's clock at receipt, so a kiosk with a wrong clock still measures right.
A kiosk counts as up from each in-service heartbeat until the next heartbeat or until the
online window runs out, whichever comes first; silence and out-of-service time are downtime.
Heartbeats are folded into spans as they arrive (see ``uptime_spans``), which gives the same
numbers as replaying every beat.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central import staff_wire
from sync.central.fleet_health_tables import faults, uptime_spans
from sync.central.schema import kiosks

#: Severities that count as a failure for MTBF; info and warning do not stop lending.
FAILURE_SEVERITIES = ("error", "critical")


@dataclass(frozen=True, slots=True)
class Span:
    """Heartbeats from ``start`` to ``end`` in one state, never more than the window apart."""

    start: datetime
    end: datetime
    in_service: bool

    @classmethod
    def beat(cls, at: datetime, in_service: bool) -> Span:
        return cls(at, at, in_service)


@dataclass(frozen=True, slots=True)
class Availability:
    up_seconds: float
    down_seconds: float

    @property
    def uptime_percent(self) -> float:
        total = self.up_seconds + self.down_seconds
        return 100.0 * self.up_seconds / total if total else 0.0


def availability(
    spans: Sequence[Span], start: datetime, end: datetime, online_window: timedelta
) -> Availability:
    """Up and down seconds within [start, end] from spans (or single beats) sorted by time."""
    up = 0.0
    for index, span in enumerate(spans):
        if not span.in_service:
            continue
        until = span.end + online_window
        if index + 1 < len(spans):
            until = min(until, spans[index + 1].start)
        lo, hi = max(span.start, start), min(until, end)
        if hi > lo:
            up += (hi - lo).total_seconds()
    total = max((end - start).total_seconds(), 0.0)
    return Availability(up_seconds=up, down_seconds=total - up)


def up_seconds(
    conn: Connection, start: datetime, end: datetime, online_window: timedelta
) -> dict[str, float]:
    """Each kiosk's up seconds in [max(start, enrolled), end]: ``availability`` in SQL.

    The same rule, one row per kiosk instead of a year of spans shipped to Python (at 300
    kiosks and 365 days that was 90,000 rows and two seconds per ranking page): an in-service
    span counts from its start until its end plus the online window, cut at the next span's
    start (``next_start_at``, stored when that span began) and at the period's edges.
    """
    t = _SqlTime.for_dialect(conn.dialect.name)
    ordered = sa.select(
        uptime_spans.c.kiosk_id,
        uptime_spans.c.state,
        t.of(uptime_spans.c.start_at).label("s"),
        t.of(uptime_spans.c.end_at).label("e"),
        t.of(uptime_spans.c.next_start_at).label("next_s"),
    ).where(uptime_spans.c.end_at >= start - online_window, uptime_spans.c.start_at <= end)
    spans = ordered.subquery("spans")
    end_at = t.at(end)
    since = t.greatest(t.at(start), t.of(kiosks.c.enrolled_at))
    until = t.least(
        t.plus(spans.c.e, online_window), sa.func.coalesce(spans.c.next_s, end_at), end_at
    )
    up = sa.func.sum(t.greatest(until - t.greatest(spans.c.s, since), t.zero))
    query = (
        sa.select(spans.c.kiosk_id, t.seconds(up).label("up"))
        .join(kiosks, kiosks.c.kiosk_id == spans.c.kiosk_id)
        .where(spans.c.state == "in_service")
        .group_by(spans.c.kiosk_id)
    )
    # Rounded to the millisecond: SQLite's julianday arithmetic carries ~50 µs of noise.
    return {row.kiosk_id: round(float(row.up or 0.0), 3) for row in conn.execute(query)}


def link_spans(conn: Connection) -> None:
    """Write every span's successor start (``next_start_at``), as ``LEAD(start_at)`` over the
    kiosk's spans by start gives it: for spans stored without it (schema step 9, or history
    loaded straight into the table). ``_extend_spans`` keeps it as beats arrive."""
    later = uptime_spans.alias("later")
    successor = (
        sa.select(later.c.start_at)
        .where(
            later.c.kiosk_id == uptime_spans.c.kiosk_id,
            sa.or_(
                later.c.start_at > uptime_spans.c.start_at,
                sa.and_(
                    later.c.start_at == uptime_spans.c.start_at, later.c.id > uptime_spans.c.id
                ),
            ),
        )
        .order_by(later.c.start_at, later.c.id)
        .limit(1)
        .scalar_subquery()
    )
    conn.execute(uptime_spans.update().values(next_start_at=successor))


@dataclass(frozen=True, slots=True)
class _SqlTime:
    """Time arithmetic in each database's fastest form.

    PostgreSQL works on its timestamps and intervals and converts only the sums to seconds
    (converting every row cost a third more); SQLite, which has no interval type, works in
    seconds since 1970 from ``julianday``. GREATEST/LEAST are SQLite's many-argument
    max()/min().
    """

    postgres: bool

    @classmethod
    def for_dialect(cls, name: str) -> _SqlTime:
        return cls(postgres=name == "postgresql")

    def of(self, column: Any) -> Any:
        return column if self.postgres else (sa.func.julianday(column) - 2440587.5) * 86400.0

    def at(self, when: datetime) -> Any:
        if self.postgres:
            return sa.literal(when.astimezone(UTC).replace(tzinfo=None), sa.DateTime)
        return sa.literal(when.timestamp())

    def plus(self, value: Any, delta: timedelta) -> Any:
        if self.postgres:
            return value + sa.literal(delta, sa.Interval)
        return value + delta.total_seconds()

    @property
    def zero(self) -> Any:
        return sa.literal(timedelta(0), sa.Interval) if self.postgres else sa.literal(0.0)

    def seconds(self, value: Any) -> Any:
        return sa.func.date_part("epoch", value) if self.postgres else value

    def greatest(self, *values: Any) -> Any:
        return sa.func.greatest(*values) if self.postgres else sa.func.max(*values)

    def least(self, *values: Any) -> Any:
        return sa.func.least(*values) if self.postgres else sa.func.min(*values)


def mtbf_seconds(up_seconds: float, failures: int) -> float | None:
    """Mean time between failures: operating time over failures; None with no failure yet."""
    return up_seconds / failures if failures else None


def list_faults(
    conn: Connection,
    *,
    kiosk_id: str | None = None,
    device: str | None = None,
    severity: str | None = None,
    open_only: bool = False,
    since: datetime | None = None,
    branch: str | None = None,
    limit: int = 500,
) -> list[staff_wire.FaultRecord]:
    query = sa.select(faults).order_by(faults.c.last_at.desc(), faults.c.id.desc()).limit(limit)
    if kiosk_id:
        query = query.where(faults.c.kiosk_id == kiosk_id)
    if device:
        query = query.where(faults.c.device == device)
    if severity:
        query = query.where(faults.c.severity == severity)
    if open_only:
        query = query.where(faults.c.cleared_at.is_(None))
    if since:
        query = query.where(faults.c.last_at >= since)
    if branch:
        query = query.where(
            faults.c.kiosk_id.in_(sa.select(kiosks.c.kiosk_id).where(kiosks.c.branch == branch))
        )
    return [_fault(row) for row in conn.execute(query)]


def fleet(
    conn: Connection,
    now: datetime,
    online_window: timedelta,
    health_window: timedelta,
    branch: str | None = None,
) -> list[staff_wire.KioskStatus]:
    """Every kiosk, worst first: most failures, then most downtime."""
    start = now - health_window
    query = sa.select(kiosks).order_by(kiosks.c.kiosk_id)
    if branch:
        query = query.where(kiosks.c.branch == branch)
    rows = conn.execute(query).all()
    up_by_kiosk = up_seconds(conn, start, now, online_window)
    open_faults: dict[str, list[Any]] = defaultdict(list)
    for fault in conn.execute(
        sa.select(faults).where(faults.c.cleared_at.is_(None)).order_by(faults.c.id)
    ):
        open_faults[fault.kiosk_id].append(fault)
    # Counts, not rows: a year of a city's faults is tens of thousands of rows.
    failing = sa.and_(faults.c.severity.in_(FAILURE_SEVERITIES), faults.c.first_at >= start)
    by_device: dict[str, dict[str, int]] = defaultdict(dict)
    failures_of: Counter[str] = Counter()
    for agg in conn.execute(
        sa.select(
            faults.c.kiosk_id,
            faults.c.device,
            sa.func.count().label("n"),
            sa.func.sum(sa.case((failing, 1), else_=0)).label("failures"),
        )
        .where(faults.c.last_at >= start)
        .group_by(faults.c.kiosk_id, faults.c.device)
    ):
        by_device[agg.kiosk_id][agg.device] = int(agg.n)
        failures_of[agg.kiosk_id] += int(agg.failures or 0)
    out = []
    for row in rows:
        failures = failures_of[row.kiosk_id]
        # A kiosk enrolled within the window is not blamed for the time before it existed.
        since = max(start, row.enrolled_at)
        total = max((now - since).total_seconds(), 0.0)
        up = min(up_by_kiosk.get(row.kiosk_id, 0.0), total)
        avail = Availability(up_seconds=up, down_seconds=total - up)
        out.append(
            staff_wire.KioskStatus(
                kiosk_id=row.kiosk_id,
                branch=row.branch,
                online=_online(row, now, online_window),
                revoked=row.revoked_at is not None,
                state=row.state,
                last_seen_at=row.last_seen_at,
                offline_since=row.offline_since,
                outbox_depth=row.outbox_depth,
                software_version=row.software_version,
                policy_version=row.policy_version,
                devices=dict(row.devices or {}),
                open_faults=[_fault(f) for f in open_faults.get(row.kiosk_id, [])],
                faults_by_device=dict(by_device.get(row.kiosk_id, {})),
                window_hours=health_window.total_seconds() / 3600,
                uptime_percent=round(avail.uptime_percent, 3),
                downtime_seconds=avail.down_seconds,
                failures=failures,
                mtbf_seconds=mtbf_seconds(avail.up_seconds, failures),
            )
        )
    out.sort(key=lambda k: (-k.failures, -k.downtime_seconds, k.kiosk_id))
    return out


def _online(row: Any, now: datetime, window: timedelta) -> bool:
    return row.last_seen_at is not None and now - row.last_seen_at <= window


def _fault(row: Any) -> staff_wire.FaultRecord:
    return staff_wire.FaultRecord(
        id=row.id,
        kiosk_id=row.kiosk_id,
        device=row.device,
        code=row.code,
        severity=row.severity,
        message=row.message,
        first_at=row.first_at,
        last_at=row.last_at,
        count=row.count,
        cleared_at=row.cleared_at,
    )
