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
        assert {"transactions", "loans", "changes", "conflicts", "heartbeats"} <= tables
    finally:
        engine.dispose()


def test_an_existing_database_runs_only_its_pending_steps(
    db_url: str, central_clock: ManualClock
) -> None:
    engine = make_engine(db_url)
    runs: list[int] = []

    def add_note_column(conn: sa.Connection) -> None:
        runs.append(2)
        conn.execute(sa.text("ALTER TABLE items ADD COLUMN note TEXT"))

    later = (*STEPS, Step(2, "item notes", add_note_column))
    try:
        migrate(engine, central_clock)
        assert migrate(engine, central_clock, later) == ["0002 item notes"]
        assert migrate(engine, central_clock, later) == []
        assert runs == [2]
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
            migrate(engine, central_clock, (*STEPS, Step(2, "broken", broken)))
        except sa.exc.DBAPIError:
            pass
        else:
            raise AssertionError("a broken step must raise")
        assert applied_steps(engine) == [1]
    finally:
        engine.dispose()
