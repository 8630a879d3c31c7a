"""One alert run: compare the conditions with the open episodes, then tell every channel.

Each condition is told once when it appears (``opened``), again after ``remind_after`` while
it lasts (``reminder``) and once when it clears (``resolved``). Deliveries are recorded per
channel and event, so a channel that failed gets the event at a later run and a channel that
took it never gets it twice (a crash between a channel's "ok" and our commit is the one case
that can repeat a message). Outside opening hours nothing is sent and no reminder falls due:
what happened meanwhile goes out when the rooms open (a condition that began at night is
"new" then, its first reminder ``remind_after`` later), and an episode that opened and cleared
unseen is closed without telling anyone. This holds for every rule alike: the rules already
leave out what is normal at night (a kiosk switched off), so the rest is worth telling.

Only one process runs it at a time: PostgreSQL's advisory lock, a lock file beside a SQLite
database.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.central import staff_accounts
from sync.central.alerts import rules
from sync.central.alerts.channels import Channel, DeliveryError
from sync.central.alerts.hours import OpeningHours, opening_hours
from sync.central.alerts.messages import Event, compose
from sync.central.alerts.settings import AlertSettings
from sync.central.database import writing
from sync.central.schema import alert_deliveries, alert_episodes, alert_events

#: The PostgreSQL advisory lock key of the alert run (any constant unique in this schema).
_LOCK_KEY = 0x5F5F_414C
#: A channel added later is not flooded with a week of history: older events go only when
#: they open an episode that still lasts (so a fault from a closed weekend is told on Monday).
BACKFILL = timedelta(days=1)
#: Most events in one message; the rest go at the next run.
BATCH = 40


@dataclass(slots=True)
class RunReport:
    opened: int = 0
    reminded: int = 0
    resolved: int = 0
    closed_unseen: int = 0
    quiet: bool = False
    sent: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def run_once(
    engine: Engine,
    now: datetime,
    tz: ZoneInfo,
    settings: AlertSettings,
    channels: Sequence[Channel],
    online_window: timedelta,
) -> RunReport | None:
    """Evaluate and deliver; None when another process holds the run."""
    with engine.connect() as lock_conn, _sqlite_run_lock(engine) as free:
        if not free:
            return None
        if lock_conn.dialect.name == "postgresql":
            got = lock_conn.execute(sa.select(sa.func.pg_try_advisory_lock(_LOCK_KEY))).scalar()
            lock_conn.commit()
            if not got:
                return None
        try:
            report = RunReport()
            with writing(engine) as conn:
                hours = opening_hours(conn, tz, settings)
                evaluate(conn, now, tz, settings, online_window, report, hours)
            if not hours.is_open(now):
                report.quiet = True
                return report
            for channel in channels:
                deliver(engine, channel, now, tz, settings, report)
            return report
        finally:
            if lock_conn.dialect.name == "postgresql":
                lock_conn.execute(sa.select(sa.func.pg_advisory_unlock(_LOCK_KEY)))
                lock_conn.commit()


@contextlib.contextmanager
def _sqlite_run_lock(engine: Engine) -> Iterator[bool]:
    """On SQLite, a lock file beside the database: the service and a ``run-once`` from cron
    must not both send the same events (SQLite's one writer orders the writes, not the
    sending). The database is a local file, so every runner is on this machine."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield True
        return
    with open(f"{database}.alerts-lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def evaluate(
    conn: Connection,
    now: datetime,
    tz: ZoneInfo,
    settings: AlertSettings,
    online_window: timedelta,
    report: RunReport,
    hours: OpeningHours | None = None,
) -> None:
    open_rows = {
        (row.rule, row.subject): row
        for row in conn.execute(
            sa.select(alert_episodes).where(alert_episodes.c.resolved_at.is_(None))
        )
    }
    offline = frozenset(s for (rule, s) in open_rows if rule == "kiosk_offline")
    conflicts = frozenset(s for (rule, s) in open_rows if rule == "new_conflict")
    hours = hours or opening_hours(conn, tz, settings)
    conditions = {
        c.key: c
        for c in rules.active(conn, now, tz, settings, online_window, offline, hours, conflicts)
    }
    for key, condition in conditions.items():
        if key in open_rows:
            continue
        inserted = conn.execute(
            alert_episodes.insert().values(
                rule=condition.rule,
                subject=condition.subject,
                kiosk_id=condition.kiosk_id,
                branch=condition.branch,
                since=condition.since,
                opened_at=now,
                facts=condition.facts,
            )
        ).inserted_primary_key
        assert inserted is not None  # an INSERT into a table with a key always has one
        episode_id = inserted[0]
        conn.execute(alert_events.insert().values(episode_id=episode_id, kind="opened", at=now))
        report.opened += 1
    last_event: dict[int, datetime] = dict(
        conn.execute(
            sa.select(alert_events.c.episode_id, sa.func.max(alert_events.c.at))
            .where(alert_events.c.episode_id.in_([r.id for r in open_rows.values()]))
            .group_by(alert_events.c.episode_id)
        ).all()
    )
    is_open = hours.is_open(now)
    for key, row in open_rows.items():
        if key in conditions:
            if is_open and _reminder_due(row, last_event.get(row.id, row.opened_at), now, settings):
                conn.execute(
                    alert_events.insert().values(episode_id=row.id, kind="reminder", at=now)
                )
                conn.execute(
                    alert_episodes.update()
                    .where(alert_episodes.c.id == row.id)
                    .values(reminders=row.reminders + 1)
                )
                report.reminded += 1
            continue
        conn.execute(
            alert_episodes.update().where(alert_episodes.c.id == row.id).values(resolved_at=now)
        )
        told = conn.execute(
            sa.select(sa.func.count())
            .select_from(alert_deliveries.join(alert_events))
            .where(
                alert_events.c.episode_id == row.id, alert_deliveries.c.delivered_at.is_not(None)
            )
        ).scalar()
        if told:
            conn.execute(alert_events.insert().values(episode_id=row.id, kind="resolved", at=now))
            report.resolved += 1
        else:  # nobody heard of it (quiet hours, or it lasted less than a run): say nothing
            events = sa.select(alert_events.c.id).where(alert_events.c.episode_id == row.id)
            conn.execute(alert_deliveries.delete().where(alert_deliveries.c.event_id.in_(events)))
            conn.execute(alert_events.delete().where(alert_events.c.episode_id == row.id))
            report.closed_unseen += 1


def _reminder_due(
    row: sa.Row[tuple[object, ...]], last_event: datetime, now: datetime, settings: AlertSettings
) -> bool:
    """A reminder is due ``remind_after`` after the last message that reached someone.

    Not once a technician has acknowledged it (they are on it; the group need not hear it
    again until it clears), not while the rooms are closed (they would pile up for the
    morning), not before anyone was told (a condition held overnight goes out as "new" in
    the morning, alone), and not again while the last reminder still waits for a failing
    channel.
    """
    told = row.last_notified_at
    if told is None or row.acknowledged_at is not None:
        return False
    return now - told >= settings.remind_after and now - last_event >= settings.remind_after


def deliver(
    engine: Engine,
    channel: Channel,
    now: datetime,
    tz: ZoneInfo,
    settings: AlertSettings,
    report: RunReport,
) -> None:
    delivered = (
        sa.select(alert_deliveries.c.event_id)
        .where(
            alert_deliveries.c.channel == channel.name,
            alert_deliveries.c.delivered_at.is_not(None),
        )
        .scalar_subquery()
    )
    with writing(engine) as conn:
        rows = conn.execute(
            sa.select(alert_events, alert_episodes)
            .join(alert_episodes, alert_episodes.c.id == alert_events.c.episode_id)
            .where(
                alert_events.c.id.not_in(delivered),
                sa.or_(
                    alert_events.c.at >= now - BACKFILL,
                    sa.and_(
                        alert_events.c.kind == "opened", alert_episodes.c.resolved_at.is_(None)
                    ),
                ),
            )
            .order_by(alert_events.c.id)
            .limit(BATCH)
        ).all()
    if not rows:
        return
    events = [
        Event(
            kind=r.kind,
            rule=r.rule,
            subject=r.subject,
            kiosk_id=r.kiosk_id,
            branch=r.branch,
            since=r.since,
            facts=dict(r.facts or {}),
            at=r.at,
        )
        for r in rows
    ]
    ids = [r.id for r in rows]
    try:
        channel.send(compose(events, tz, settings.page_url))
    except Exception as error:  # one channel's bug must not stop the others
        # DeliveryError says what the receiver answered; anything else is named by its type
        # only, since its text could carry a webhook key from a URL.
        reason = str(error) if isinstance(error, DeliveryError) else type(error).__name__
        report.failed[channel.name] = reason
        _record(engine, channel.name, ids, None, reason[:500])
        return
    report.sent[channel.name] = len(ids)
    _record(engine, channel.name, ids, now, "")
    with writing(engine) as conn:
        conn.execute(
            alert_episodes.update()
            .where(alert_episodes.c.id.in_({r.episode_id for r in rows}))
            .values(last_notified_at=now)
        )


def _record(
    engine: Engine, channel: str, event_ids: list[int], at: datetime | None, error: str
) -> None:
    with writing(engine) as conn:
        known = {
            row.event_id: row.attempts
            for row in conn.execute(
                sa.select(alert_deliveries.c.event_id, alert_deliveries.c.attempts).where(
                    alert_deliveries.c.channel == channel,
                    alert_deliveries.c.event_id.in_(event_ids),
                )
            )
        }
        for event_id in event_ids:
            values = {
                "delivered_at": at,
                "last_error": error,
                "attempts": known.get(event_id, 0) + 1,
            }
            if event_id in known:
                conn.execute(
                    alert_deliveries.update()
                    .where(
                        alert_deliveries.c.event_id == event_id,
                        alert_deliveries.c.channel == channel,
                    )
                    .values(values)
                )
            else:
                conn.execute(
                    alert_deliveries.insert().values(event_id=event_id, channel=channel, **values)
                )


class NotOpen(LookupError):
    """The alert is resolved already, or there is no such alert."""


def acknowledge(conn: Connection, episode_id: int, staff: str, now: datetime) -> None:
    """A technician takes an open alert: its reminders stop, the page shows who and when,
    and the audit log keeps it. Acknowledging twice keeps the first name."""
    row = conn.execute(
        sa.select(alert_episodes.c.resolved_at, alert_episodes.c.acknowledged_at).where(
            alert_episodes.c.id == episode_id
        )
    ).first()
    if row is None or row.resolved_at is not None:
        raise NotOpen(f"alert {episode_id} is not open")
    if row.acknowledged_at is not None:
        return
    conn.execute(
        alert_episodes.update()
        .where(alert_episodes.c.id == episode_id)
        .values(acknowledged_by=staff, acknowledged_at=now)
    )
    staff_accounts.audit(conn, now, staff, "alert.acknowledge", str(episode_id))


def history(conn: Connection, limit: int = 200) -> list[sa.Row[tuple[object, ...]]]:
    """Episodes, open ones first, then the most recent; for the alerts page."""
    return list(
        conn.execute(
            sa.select(alert_episodes)
            .order_by(alert_episodes.c.resolved_at.is_not(None), alert_episodes.c.opened_at.desc())
            .limit(limit)
        )
    )


def deliveries(
    conn: Connection, episode_ids: list[int]
) -> dict[int, list[sa.Row[tuple[object, ...]]]]:
    found: dict[int, list[sa.Row[tuple[object, ...]]]] = {}
    if not episode_ids:
        return found
    for row in conn.execute(
        sa.select(alert_events.c.episode_id, alert_events.c.kind, alert_events.c.at,
                  alert_deliveries.c.channel, alert_deliveries.c.delivered_at,
                  alert_deliveries.c.attempts, alert_deliveries.c.last_error)
        .join(alert_deliveries, alert_deliveries.c.event_id == alert_events.c.id, isouter=True)
        .where(alert_events.c.episode_id.in_(episode_ids))
        .order_by(alert_events.c.id)
    ):  # fmt: skip
        found.setdefault(row.episode_id, []).append(row)
    return found
