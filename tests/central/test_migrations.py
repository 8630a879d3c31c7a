"""Schema steps: recorded once, run once, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from kiosk.clock import ManualClock
from sync.central.database import make_engine
from sync.central.migrations import STEPS, Step, applied_steps, migrate


def test_a_fresh_database_gets_every_step_recorded(db_url: str, central_clock: ManualClock) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate(engine, central_clock) == [f"{s.number:04d} {s.name}" for s in STEPS]
        assert applied_steps(engine) == [s.number for s in STEPS]
        assert migrate(engine, central_clock) == []
        tables = set(sa.inspect(engine).get_table_names())
        assert {"transactions", "loans", "changes", "conflicts", "uptime_spans"} <= tables
        assert "heartbeats" not in tables
    finally:
        engine.dispose()


def test_an_existing_database_runs_only_its_pending_steps(
    db_url: str, central_clock: ManualClock
) -> None:
    engine = make_engine(db_url)
    runs: list[int] = []

    next_step = max(s.number for s in STEPS) + 1

    def add_note_column(conn: sa.Connection) -> None:
        runs.append(next_step)
        conn.execute(sa.text("ALTER TABLE items ADD COLUMN note TEXT"))

    later = (*STEPS, Step(next_step, "item notes", add_note_column))
    try:
        migrate(engine, central_clock)
        assert migrate(engine, central_clock, later) == [f"{next_step:04d} item notes"]
        assert migrate(engine, central_clock, later) == []
        assert runs == [next_step]
        columns = {c["name"] for c in sa.inspect(engine).get_columns("items")}
        assert "note" in columns
    finally:
        engine.dispose()


def test_a_failing_step_leaves_no_record(db_url: str, central_clock: ManualClock) -> None:
    engine = make_engine(db_url)

    def broken(conn: sa.Connection) -> None:
        conn.execute(sa.text("ALTER TABLE no_such_table ADD COLUMN x TEXT"))

    try:
        migrate(engine, central_clock)
        try:
            migrate(
                engine,
                central_clock,
                (*STEPS, Step(max(s.number for s in STEPS) + 1, "broken", broken)),
            )
        except sa.exc.DBAPIError:
            pass
        else:
            raise AssertionError("a broken step must raise")
        assert applied_steps(engine) == [s.number for s in STEPS]
    finally:
        engine.dispose()


def test_step_3_drops_the_raw_heartbeat_rows_and_keeps_the_rest(
    db_url: str, central_clock: ManualClock
) -> None:
    """A database from before step 3 still has ``heartbeats``; the step removes only that."""
    engine = make_engine(db_url)
    old = sa.MetaData()
    raw = sa.Table(
        "heartbeats", old,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kiosk_id", sa.String(), nullable=False),
        sa.Index("ix_heartbeats_kiosk", "kiosk_id"),
    )  # fmt: skip
    try:
        migrate(engine, central_clock, STEPS[:2])
        with engine.begin() as conn:
            old.create_all(conn)
            conn.execute(raw.insert().values(kiosk_id="k1"))
        assert migrate(engine, central_clock)[0] == "0003 no raw heartbeat rows"
        tables = set(sa.inspect(engine).get_table_names())
        assert "heartbeats" not in tables and "uptime_spans" in tables
        assert applied_steps(engine) == [s.number for s in STEPS]
    finally:
        engine.dispose()
