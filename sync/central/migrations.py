"""Numbered schema steps, recorded in ``schema_migrations``, run the same way on both databases.

A fresh database gets the current tables from :mod:`sync.central.schema` and every step
stamped as applied; an existing one runs only its pending steps, each in the transaction
that records it. Steps use SQLAlchemy constructs, never a per-database copy of the SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kiosk.clock import Clock, SystemClock
from sync.central import fleet_health, rollup_rebuild, schema, staff_accounts, staff_tables
from sync.central.alerts.tables import alert_deliveries, alert_episodes, alert_events
from sync.central.database import writing
from sync.central.fleet_health_tables import uptime_spans


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    name: str
    apply: Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    _seed(conn)


def _seed(conn: Connection) -> None:
    if conn.execute(sa.select(schema.counters.c.name)).first() is None:
        conn.execute(schema.counters.insert().values(name="changes", value=0))
    staff_accounts.ensure_secret(conn, staff_accounts.SESSION_SECRET, SystemClock().now())


def _add_columns(conn: Connection, *columns: sa.Column[object]) -> None:
    """``ALTER TABLE … ADD COLUMN`` rendered from each column as ``schema`` declares it, so the
    upgraded table matches a fresh one on either database. A column the table already has is
    left alone, like ``create(checkfirst=True)`` for a table: a database created by a newer
    ``schema`` has it before the step that adds it runs."""
    for column in columns:
        present = {c["name"] for c in sa.inspect(conn).get_columns(column.table.name)}
        if column.name in present:
            continue
        table = conn.dialect.identifier_preparer.format_table(column.table)
        spec = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {spec}"))


def _item_covers(conn: Connection) -> None:
    """Items keep their cover (issue #13). A cover imported before this step lives only in
    the change log; the next import that names it sends it once more, which is harmless."""
    _add_columns(conn, schema.items.c.cover)


def _conflict_sources(conn: Connection) -> None:
    """Conflicts say who refused the row; every existing one was the central's own."""
    _add_columns(conn, schema.conflicts.c.source)


def _drop_raw_heartbeats(conn: Connection) -> None:
    """A row per heartbeat was written and never read: 86 million a day for 60,000 kiosks.
    The kiosk row keeps the latest beat and ``uptime_spans`` the history."""
    conn.execute(sa.schema.DropTable(sa.Table("heartbeats", sa.MetaData()), if_exists=True))


def _staff_accounts(conn: Connection) -> None:
    """Staff sign in to the pages with a password (tokens stay for the API), every staff
    action is audited, sessions are signed with a server secret, branches have districts."""
    for table in (
        staff_tables.staff_accounts,
        staff_tables.staff_audit,
        staff_tables.central_secrets,
        schema.branches,
    ):
        table.create(conn, checkfirst=True)
    staff_accounts.ensure_secret(conn, staff_accounts.SESSION_SECRET, SystemClock().now())


def _catalog_codes(conn: Connection) -> None:
    """ISBN and 中图法 class on items, as the MARC and CSV imports read them (issue #17)."""
    _add_columns(conn, schema.items.c.isbn, schema.items.c.clc_class)


def _alerts(conn: Connection) -> None:
    """Alert episodes, their events and each channel's deliveries (issue #16)."""
    for table in (alert_episodes, alert_events, alert_deliveries):
        table.create(conn, checkfirst=True)


def _rooms(conn: Connection) -> None:
    """Room data on branches and door-counter visits, for the efficiency pages (issue #17)."""
    # A database that ran step 5 after this code was written already has them.
    b = schema.branches.c
    _add_columns(conn, b.seats, b.floor_area_m2, b.weekly_open_hours, b.opened_on)
    schema.visits.create(conn, checkfirst=True)
    index = next(i for i in schema.transactions.indexes if i.name == "ix_transactions_patron_day")
    index.create(conn, checkfirst=True)


def _rollup(conn: Connection) -> None:
    """The efficiency page's per-room, per-day rollup of the ledger (issue #17), made from
    the transactions already there; the ledger keeps it from now on. Also each uptime span's
    successor start (the reliability ranking without a window function)."""
    _add_columns(conn, schema.items.c.last_lent_day)
    for table in (
        schema.room_days, schema.reader_days, schema.reader_firsts, schema.room_reader_lasts,
        schema.room_reader_firsts, schema.item_lent_days, schema.room_holdings,
    ):  # fmt: skip
        table.create(conn, checkfirst=True)
    rollup_rebuild.rebuild(conn)
    _add_columns(conn, uptime_spans.c.next_start_at)
    fleet_health.link_spans(conn)


def _alert_acknowledgement(conn: Connection) -> None:
    """Technicians acknowledge an open alert on the page, which stops its reminders (#16)."""
    _add_columns(conn, alert_episodes.c.acknowledged_by, alert_episodes.c.acknowledged_at)


def _pin_scope(conn: Connection) -> None:
    """Patrons' home branches (PIN hashes replicated only as far as the policy says) and the
    PIN lockouts kiosks report, which travel to the city's other kiosks (#14)."""
    _add_columns(conn, schema.patrons.c.home_branch)
    schema.pin_lockouts.create(conn, checkfirst=True)


def _rotation(conn: Connection) -> None:
    """Collection rotation plans and their items, and the rooms' names readers know (#17)."""
    _add_columns(conn, schema.branches.c.name)
    for table in (schema.rotation_plans, schema.rotation_items):
        table.create(conn, checkfirst=True)  # with the live-item index


def _ecard_keys_ed25519(conn: Connection) -> None:
    """E-cards are Ed25519 (issue #14): a key's ``secret`` is now a private seed kiosks never
    see. The HMAC secrets stored so far were replicated to every kiosk, so each is revoked
    rather than reused as a seed (a stolen kiosk disk could then mint cards). The policy is
    published again so kiosks learn it at their next sync and blank the secrets they kept."""
    from sync.central import catalog  # the change feed; not needed by the other steps

    now = SystemClock().now()
    revoked = conn.execute(
        schema.ecard_keys.update()
        .where(schema.ecard_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    if revoked:
        catalog._publish_policy(conn, now)


STEPS: tuple[Step, ...] = (
    Step(1, "initial schema", _initial),
    Step(2, "conflict sources", _conflict_sources),
    Step(3, "no raw heartbeat rows", _drop_raw_heartbeats),
    Step(4, "item covers", _item_covers),
    Step(5, "staff accounts, audit, districts", _staff_accounts),
    Step(6, "isbn and clc class on items", _catalog_codes),
    Step(7, "alerts", _alerts),
    Step(8, "rooms and visits", _rooms),
    Step(9, "efficiency rollup, span successors", _rollup),
    Step(10, "alert acknowledgement", _alert_acknowledgement),
    Step(11, "patrons' home branches, PIN lockouts", _pin_scope),
    Step(12, "collection rotation", _rotation),
    Step(14, "ed25519 e-card keys, hmac secrets revoked", _ecard_keys_ed25519),
)

# Arbitrary constant: the PostgreSQL advisory lock that keeps two starting processes from
# migrating at once (SQLite's BEGIN IMMEDIATE already does that).
_LOCK_KEY = 0x5F5F_4D49


def migrate(engine: Engine, clock: Clock | None = None, steps: Sequence[Step] = STEPS) -> list[str]:
    """Bring the schema up to date; return the names of the steps applied now."""
    clock = clock or SystemClock()
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
        fresh = not sa.inspect(conn).has_table(schema.schema_migrations.name)
        if fresh:
            schema.metadata.create_all(conn)
            _seed(conn)
            done: set[int] = set()
            pending = list(steps)
            run = False
        else:
            done = set(conn.execute(sa.select(schema.schema_migrations.c.step)).scalars())
            pending = [s for s in steps if s.number not in done]
            run = True
        applied = []
        for step in sorted(pending, key=lambda s: s.number):
            with conn.begin_nested():
                if run:
                    step.apply(conn)
                conn.execute(
                    schema.schema_migrations.insert().values(
                        step=step.number, name=step.name, applied_at=clock.now()
                    )
                )
            applied.append(f"{step.number:04d} {step.name}")
        return applied


def applied_steps(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(schema.schema_migrations.c.step).order_by(schema.schema_migrations.c.step)
            ).scalars()
        )
