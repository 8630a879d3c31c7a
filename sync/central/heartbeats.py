"""Heartbeats recorded: each kiosk's latest state on its row, its faults, and its uptime
spans, for many kiosks in one transaction (``beat_writer`` batches them).

Split from ``fleet_health``, which reads these rows back as the fleet's uptime and faults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import wire
from sync.central.database import tuples
from sync.central.fleet_health_tables import faults, uptime_spans
from sync.central.schema import counters, kiosks, policies


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
    [(latest, value)] = tuples(conn, sa.select(document, cursor))  # exactly one row
    version: str = latest["version"] if latest else "central-0"
    return version, value
