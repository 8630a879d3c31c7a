"""Which alert conditions hold now, read from the central's tables.

Each condition is keyed by (rule, subject): the same kiosk offline twice in a day is two
episodes, but one long outage is one. Thresholds and opening hours come from
``AlertSettings``, opening hours from ``hours`` (the policy's or the config's); the city's
local time decides whether a room is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central.alerts.hours import OpeningHours, from_settings
from sync.central.alerts.settings import AlertSettings
from sync.central.database import tuples
from sync.central.fleet_health_tables import faults, uptime_spans
from sync.central.schema import conflicts, kiosks

#: Device codes that mean the printer has no paper (drivers report these; see drivers/printer).
PAPER_CODES = frozenset({"paper_out", "paper_end", "no_paper"})
FAILURE_SEVERITIES = ("error", "critical")
#: A conflict older than this when first seen is not "new" (see ``active``).
NEW_CONFLICT = timedelta(days=1)
RULES = (
    "kiosk_offline",
    "device_fault",
    "paper_out",
    "out_of_service",
    "backlog",
    "new_conflict",
)


@dataclass(frozen=True, slots=True)
class Condition:
    rule: str
    subject: str  # kiosk id, "kiosk/device/code", or conflict id
    kiosk_id: str
    branch: str
    since: datetime
    #: Facts for the message: numbers and names, never a card number.
    facts: dict[str, str]

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.subject)


def active(
    conn: Connection,
    now: datetime,
    tz: ZoneInfo,
    settings: AlertSettings,
    online_window: timedelta,
    open_offline: frozenset[str] = frozenset(),
    hours: OpeningHours | None = None,
    open_conflicts: frozenset[str] = frozenset(),
) -> list[Condition]:
    """Every condition that holds at ``now``.

    ``open_offline``: kiosks with an offline episode already open. Outside opening hours a
    silent kiosk is expected (rooms switch them off), so no new offline episode starts then;
    but one that started in the day stays open until the kiosk is heard from again.

    ``open_conflicts``: conflict ids with an episode open. Only conflicts newer than
    ``NEW_CONFLICT`` start one, so turning alerts on does not announce a year of open
    conflicts; one already told stays open until it is settled, however old.
    """
    found: list[Condition] = []
    hours = hours or from_settings(tz, settings)
    counted_from = hours.opened_at(now)
    is_open = counted_from is not None
    for row in conn.execute(
        sa.select(kiosks).where(kiosks.c.revoked_at.is_(None)).order_by(kiosks.c.kiosk_id)
    ):
        seen = row.last_seen_at
        silent = seen is None or now - seen > online_window
        if silent and seen is not None:
            # Only opening time counts: a kiosk off since last night, 10 minutes after
            # opening, has been "offline" for 10 minutes.
            since = max(seen, counted_from) if counted_from is not None else seen
            if (is_open and now - since >= settings.offline_after) or row.kiosk_id in open_offline:
                found.append(Condition(
                    "kiosk_offline", row.kiosk_id, row.kiosk_id, row.branch, seen,
                    {"last_seen": seen.isoformat()},
                ))  # fmt: skip
            continue
        if silent:
            continue  # never seen: enrolled but not installed yet
        if row.state == "out_of_service":
            since = _state_since(conn, row.kiosk_id, now)
            if now - since >= settings.out_of_service_after:
                found.append(Condition(
                    "out_of_service", row.kiosk_id, row.kiosk_id, row.branch, since, {},
                ))  # fmt: skip
        offline_since = row.offline_since
        if row.outbox_depth >= settings.backlog_rows or (
            offline_since is not None and now - offline_since >= settings.backlog_after
        ):
            found.append(Condition(
                "backlog", row.kiosk_id, row.kiosk_id, row.branch, offline_since or now,
                {"outbox": str(row.outbox_depth),
                 "upstream_offline_since": offline_since.isoformat() if offline_since else ""},
            ))  # fmt: skip
    branch_of: dict[str, str] = dict(tuples(conn, sa.select(kiosks.c.kiosk_id, kiosks.c.branch)))
    for fault in conn.execute(
        sa.select(faults)
        .where(faults.c.cleared_at.is_(None), faults.c.severity.in_(FAILURE_SEVERITIES))
        .order_by(faults.c.id)
    ):
        subject = f"{fault.kiosk_id}/{fault.device}/{fault.code}"
        facts = {"device": fault.device, "code": fault.code, "message": fault.message[:200]}
        branch = branch_of.get(fault.kiosk_id, "")
        if fault.device == "printer" and fault.code in PAPER_CODES:
            found.append(Condition(
                "paper_out", subject, fault.kiosk_id, branch, fault.first_at, facts,
            ))  # fmt: skip
        elif now - fault.first_at >= settings.fault_after:
            found.append(Condition(
                "device_fault", subject, fault.kiosk_id, branch, fault.first_at, facts,
            ))  # fmt: skip
    tracked = [int(c) for c in open_conflicts if c.isdigit()]
    for conflict in conn.execute(
        sa.select(conflicts)
        .where(
            conflicts.c.resolved_at.is_(None),
            sa.or_(conflicts.c.created_at >= now - NEW_CONFLICT, conflicts.c.id.in_(tracked)),
        )
        .order_by(conflicts.c.id)
    ):
        found.append(Condition(
            "new_conflict", str(conflict.id), conflict.kiosk_id, conflict.branch,
            conflict.created_at,
            {"kind": conflict.kind, "item": conflict.item_pii, "reason": conflict.reason,
             "source": conflict.source},
        ))  # fmt: skip
    return found


def _state_since(conn: Connection, kiosk_id: str, now: datetime) -> datetime:
    """When the kiosk's current out-of-service stretch began.

    The first out-of-service span after the last span in any other state: a kiosk whose
    network drops for a few minutes while out of service starts a new span when it is heard
    again, but it has been out of service since the first one.
    """
    last_other = (
        sa.select(sa.func.max(uptime_spans.c.end_at))
        .where(uptime_spans.c.kiosk_id == kiosk_id, uptime_spans.c.state != "out_of_service")
        .scalar_subquery()
    )
    start = conn.execute(
        sa.select(sa.func.min(uptime_spans.c.start_at)).where(
            uptime_spans.c.kiosk_id == kiosk_id,
            uptime_spans.c.state == "out_of_service",
            sa.or_(last_other.is_(None), uptime_spans.c.start_at >= last_other),
        )
    ).scalar()
    return start or now
