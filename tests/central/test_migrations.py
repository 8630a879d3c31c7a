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


def test_step_14_revokes_the_hmac_e_card_secrets_every_kiosk_had(
    db_url: str, central_clock: ManualClock
) -> None:
    """Before #14 an e-card key's secret went to every kiosk; reused as an Ed25519 seed it
    would let a stolen kiosk disk mint cards, so the step revokes each such key."""
    from sync.central import catalog, changes, schema
    from sync.central.database import reading, writing

    engine = make_engine(db_url)
    now = central_clock.now()
    try:
        migrate(engine, central_clock, [s for s in STEPS if s.number < 14])
        with writing(engine) as conn:
            rows = [("kold", None), ("kgone", now)]
            for key_id, revoked in rows:
                conn.execute(
                    schema.ecard_keys.insert().values(
                        key_id=key_id, secret="c2VjcmV0", created_at=now, revoked_at=revoked
                    )
                )
        assert "0014 ed25519 e-card keys, hmac secrets revoked" in migrate(engine, central_clock)
        with reading(engine) as conn:
            policy = catalog.current_policy(conn)
        assert policy.ecard_keys == [] and set(policy.revoked_key_ids) == {"kold", "kgone"}
        with reading(engine) as conn:  # published: kiosks blank the old secrets on next sync
            (last,) = changes.page_json(conn, 0, 1000)["changes"][-1:]
        assert last["policy"]["revoked_key_ids"] and not last["policy"]["ecard_keys"]
        with writing(engine) as conn:  # a new key is an Ed25519 pair, its public half listed
            key = catalog.add_ecard_key(conn, now)
            assert catalog.current_policy(conn).ecard_keys == [key]
    finally:
        engine.dispose()


def test_step_12_adds_rotation_plans_and_room_names_to_an_older_database(
    db_url: str, central_clock: ManualClock
) -> None:
    """A database from before step 12 (issue #17): its rooms keep their data and get an empty
    name; the plans' tables come with the index that keeps an item on one live plan."""
    from sync.central.schema import branches, rotation_items, rotation_plans

    engine = make_engine(db_url)
    try:
        migrate(engine, central_clock, [s for s in STEPS if s.number < 12])
        with engine.begin() as conn:  # as step 11's code left it: no step-12 parts
            rotation_items.drop(conn)
            rotation_plans.drop(conn)
            conn.execute(sa.text("ALTER TABLE branches DROP COLUMN name"))
            conn.execute(
                sa.text(
                    "INSERT INTO branches (branch, district, updated_at, seats, floor_area_m2,"
                    " weekly_open_hours, opened_on) VALUES ('west', '城西区', :at, 30, 0, 60, '')"
                ),
                {"at": central_clock.now()},
            )
        assert "0012 collection rotation" in migrate(engine, central_clock)
        assert applied_steps(engine) == [s.number for s in STEPS]
        with engine.begin() as conn:
            row = conn.execute(sa.select(branches).where(branches.c.branch == "west")).one()
            assert (row.district, row.seats, row.name) == ("城西区", 30, "")
            plan = conn.execute(
                rotation_plans.insert()
                .values(from_branch="main", to_branch="west", created_by="t",
                        created_at=central_clock.now())
                .returning(rotation_plans.c.id)
            ).scalar_one()  # fmt: skip
            live = {"plan_id": plan, "item_pii": "I1", "changed_at": central_clock.now()}
            conn.execute(rotation_items.insert().values(state="arrived", **live))
        with engine.begin() as conn:
            other = conn.execute(
                rotation_plans.insert()
                .values(from_branch="main", to_branch="east", created_by="t",
                        created_at=central_clock.now())
                .returning(rotation_plans.c.id)
            ).scalar_one()  # fmt: skip
            conn.execute(
                rotation_items.insert().values(**{**live, "plan_id": other}, state="waiting")
            )
        try:
            with engine.begin() as conn:
                third = conn.execute(
                    rotation_plans.insert()
                    .values(from_branch="main", to_branch="north", created_by="t",
                            created_at=central_clock.now())
                    .returning(rotation_plans.c.id)
                ).scalar_one()  # fmt: skip
                conn.execute(
                    rotation_items.insert().values(**{**live, "plan_id": third}, state="in_transit")
                )
        except sa.exc.IntegrityError:
            pass
        else:
            raise AssertionError("an item on two live plans must be refused")
    finally:
        engine.dispose()
