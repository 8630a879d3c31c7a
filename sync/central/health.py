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

from sync.central import staff_wire, wire
from sync.central.schema import (
    counters,
    faults,
    kiosks,
    policies,
    uptime_spans,
)

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


@dataclass(frozen=True, slots=True)
class ReceivedBeat:
    """A heartbeat as the central took it in: whose, with which token, and when.

    ``token_hash`` is checked against the kiosk's row inside the transaction that records
    the beat, so a token revoked a moment ago (on any API process) is refused even when the
    caller's identity came from a cache; ``None`` means the caller already checked it.
    """

    kiosk_id: str
    beat: wire.Heartbeat
    at: datetime
    token_hash: str | None = None


def record_heartbeats(
    conn: Connection, received: Sequence[ReceivedBeat], online_window: timedelta
) -> list[bool]:
    """Record many kiosks' heartbeats in one transaction, in the order given.

    Returns, per beat, whether it was recorded (False: the kiosk is unknown, revoked, or its
    token was replaced). A handful of statements serve the whole batch, which is what lets one
    API process take a heartbeat a minute from tens of thousands of kiosks.

    No row is kept per beat (60,000 kiosks would add 86 million a day): the kiosk's row holds
    its latest state, uptime spans its history (one row per unbroken period) and faults their
    own rows.
    """
    # Lock the kiosks' rows first and in key order: two API processes recording overlapping
    # batches then queue on the same first row instead of deadlocking.
    ids = sorted({r.kiosk_id for r in received})
    tokens: dict[str, str] = dict(
        conn.execute(
            sa.select(kiosks.c.kiosk_id, kiosks.c.token_hash)
            .where(kiosks.c.kiosk_id.in_(ids), kiosks.c.revoked_at.is_(None))
            .order_by(kiosks.c.kiosk_id)
            .with_for_update()
        ).all()
    )
    recorded = [
        r.kiosk_id in tokens and r.token_hash in (None, tokens[r.kiosk_id]) for r in received
    ]
    beats = [r for r, ok in zip(received, recorded, strict=True) if ok]
    if not beats:
        return recorded
    latest = {r.kiosk_id: r for r in beats}  # the kiosk row keeps each kiosk's last beat
    conn.execute(
        kiosks.update()
        .where(kiosks.c.kiosk_id == sa.bindparam("b_kiosk"))
        .values(
            last_seen_at=sa.bindparam("b_at"),
            state=sa.bindparam("b_state"),
            offline_since=sa.bindparam("b_offline"),
            outbox_depth=sa.bindparam("b_depth"),
            software_version=sa.bindparam("b_software"),
            policy_version=sa.bindparam("b_policy"),
            devices=sa.bindparam("b_devices", type_=kiosks.c.devices.type),
        ),
        [
            {
                "b_kiosk": r.kiosk_id,
                "b_at": r.at,
                "b_state": r.beat.state,
                "b_offline": r.beat.offline_since,
                "b_depth": r.beat.outbox_depth,
                "b_software": r.beat.software_version,
                "b_policy": r.beat.policy_version,
                "b_devices": dict(r.beat.devices),
            }
            for r in latest.values()
        ],
    )
    _extend_spans(conn, beats, online_window)
    for r in beats:
        for fault in r.beat.faults:
            _record_fault(conn, r.kiosk_id, fault, r.at)
    return recorded


def _record_fault(conn: Connection, kiosk_id: str, fault: wire.FaultReport, now: datetime) -> None:
    """A fault is reported again while it lasts: one row per occurrence, updated."""
    key = (
        faults.c.kiosk_id == kiosk_id,
        faults.c.device == fault.device,
        faults.c.code == fault.code,
        faults.c.first_at == fault.first_at,
    )
    values = {
        "severity": fault.severity,
        "message": fault.message,
        "last_at": fault.last_at,
        "count": fault.count,
        "cleared_at": fault.cleared_at,
        "reported_at": now,
    }
    if not conn.execute(faults.update().where(*key).values(**values)).rowcount:
        conn.execute(
            faults.insert().values(
                kiosk_id=kiosk_id,
                device=fault.device,
                code=fault.code,
                first_at=fault.first_at,
                **values,
            )
        )


def _extend_spans(
    conn: Connection, beats: Sequence[ReceivedBeat], online_window: timedelta
) -> None:
    """Extend each kiosk's latest span if it is in the beat's state and recent, else start one.

    One read of the batch's latest spans, then one UPDATE (many rows) and one INSERT. A new
    span's start is also written on the span before it (``next_start_at``).
    """
    older = uptime_spans.alias("older")
    latest_id = (
        sa.select(older.c.id)
        .where(older.c.kiosk_id == uptime_spans.c.kiosk_id)
        .order_by(older.c.end_at.desc(), older.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    latest: dict[str, dict[str, Any]] = {
        row.kiosk_id: {
            "id": row.id, "state": row.state, "end_at": row.end_at,
            "next_start_at": row.next_start_at,
        }
        for row in conn.execute(
            sa.select(
                uptime_spans.c.id, uptime_spans.c.kiosk_id, uptime_spans.c.state,
                uptime_spans.c.end_at, uptime_spans.c.next_start_at,
            ).where(
                uptime_spans.c.kiosk_id.in_({b.kiosk_id for b in beats}),
                uptime_spans.c.id == latest_id,
            )
        )
    }  # fmt: skip
    extended: dict[int, dict[str, Any]] = {}
    started: list[dict[str, Any]] = []
    for b in beats:
        span = latest.get(b.kiosk_id)
        if span and span["state"] == b.beat.state and span["end_at"] >= b.at - online_window:
            span["end_at"] = b.at
            if span["id"] is not None:
                extended[span["id"]] = span
            continue
        if span:
            span["next_start_at"] = b.at
            if span["id"] is not None:
                extended[span["id"]] = span
        span = {"id": None, "kiosk_id": b.kiosk_id, "state": b.beat.state, "end_at": b.at,
                "start_at": b.at, "next_start_at": None}  # fmt: skip
        latest[b.kiosk_id] = span
        started.append(span)
    if extended:
        conn.execute(
            uptime_spans.update()
            .where(uptime_spans.c.id == sa.bindparam("b_id"))
            .values(end_at=sa.bindparam("b_end"), next_start_at=sa.bindparam("b_next")),
            [
                {"b_id": span["id"], "b_end": span["end_at"], "b_next": span["next_start_at"]}
                for span in extended.values()
            ],
        )
    if started:
        columns = ("kiosk_id", "state", "start_at", "end_at", "next_start_at")
        conn.execute(uptime_spans.insert(), [{k: span[k] for k in columns} for span in started])


def policy_version_and_cursor(conn: Connection) -> tuple[str, int]:
    """The current policy version and the change log's end, in one statement."""
    document = (
        sa.select(policies.c.document)
        .order_by(policies.c.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    cursor = sa.select(counters.c.value).where(counters.c.name == "changes").scalar_subquery()
    latest, value = conn.execute(sa.select(document, cursor)).tuples().one()
    version: str = latest["version"] if latest else "central-0"
    return version, value


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
