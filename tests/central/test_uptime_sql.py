"""Uptime computed in SQL (``fleet_health.up_seconds``) equals the rule as written in Python
(``fleet_health.availability``) on random span histories, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from kiosk.clock import ManualClock
from sync import wire
from sync.central import auth, fleet_health
from sync.central.database import make_engine, reading, writing
from sync.central.fleet_health_tables import uptime_spans
from sync.central.migrations import migrate
from sync.central.schema import kiosks
from tests.fixtures.central import START, Central

WINDOW = timedelta(minutes=3)


def test_sql_uptime_matches_the_python_rule(db_url: str, central_clock: ManualClock) -> None:
    engine = make_engine(db_url)
    rng = random.Random(16)
    start, end = START - timedelta(days=10), START
    expected: dict[str, float] = {}
    try:
        migrate(engine, central_clock)
        with writing(engine) as conn:
            for n in range(12):
                kid = f"k{n}"
                # Some kiosks were enrolled inside the period: not blamed for before.
                enrolled = start - timedelta(days=2) if n % 3 else start + timedelta(days=n / 3)
                auth.enrol_kiosk(conn, kid, "b", enrolled)
                at = start - timedelta(hours=rng.uniform(0, 30))
                spans = []
                while at < end + timedelta(hours=2):
                    length = timedelta(minutes=rng.choice([0, 0.5, 2, 50, 600]))
                    state = rng.choice(["in_service"] * 4 + ["out_of_service"])
                    spans.append(fleet_health.Span(at, at + length, state == "in_service"))
                    # Gaps shorter and longer than the online window, and overlaps (a span that
                    # starts before the previous one's window ran out).
                    at = at + length + timedelta(minutes=rng.choice([0.5, 1, 2.9, 4, 90]))
                conn.execute(
                    uptime_spans.insert(),
                    [
                        {"kiosk_id": kid, "state": "in_service" if s.in_service else "x",
                         "start_at": s.start, "end_at": s.end}
                        for s in spans
                    ],
                )  # fmt: skip
                relevant = [s for s in spans if s.end >= start - WINDOW and s.start <= end]
                since = max(start, enrolled)
                expected[kid] = fleet_health.availability(relevant, since, end, WINDOW).up_seconds
            auth.enrol_kiosk(conn, "silent", "b", start)  # no spans at all
            fleet_health.link_spans(conn)  # the history went straight into the table
        with reading(engine) as conn:
            got = fleet_health.up_seconds(conn, start, end, WINDOW)
            assert conn.execute(sa.select(sa.func.count()).select_from(kiosks)).scalar() == 13
    finally:
        engine.dispose()
    assert "silent" not in got
    assert set(got) == {k for k, v in expected.items() if v > 0} | {k for k in got if got[k] == 0}
    for kid, value in expected.items():
        assert abs(got.get(kid, 0.0) - value) < 0.01, (kid, got.get(kid), value)
    assert any(v > 0 for v in expected.values()) and any(
        0 < v < (end - start).total_seconds() * 0.9 for v in expected.values()
    )


def test_beats_link_each_span_to_the_next_as_a_window_over_them_would(central: Central) -> None:
    """Through the real heartbeat path: state changes and silences start spans, and each
    span's stored successor start is what ``LEAD(start_at)`` over the kiosk's spans says."""
    rng = random.Random(14)
    apis = [central.enrol(f"k{n}") for n in range(3)]
    for _ in range(60):
        central.clock.advance(timedelta(minutes=rng.choice([0.5, 1, 2, 2.9, 4, 30])))
        api = rng.choice(apis)
        state = rng.choice(["in_service"] * 3 + ["out_of_service"])
        beat = wire.Heartbeat(state=state, outbox_depth=0, software_version="0.1.0")
        assert api.post("/heartbeat", beat).status_code == 200
    s = uptime_spans.c
    lead = sa.func.lead(s.start_at).over(partition_by=s.kiosk_id, order_by=(s.start_at, s.id))
    lead = sa.type_coerce(lead, s.start_at.type)  # SQLite hands the window back as text
    query = sa.select(s.id, s.next_start_at, lead.label("lead")).order_by(s.id)
    with reading(central.engine) as conn:
        kept = conn.execute(query).all()
    assert len(kept) > 10 and sum(1 for r in kept if r.lead is None) == 3
    assert [(r.id, r.next_start_at) for r in kept] == [(r.id, r.lead) for r in kept]
    with writing(central.engine) as conn:
        conn.execute(uptime_spans.update().values(next_start_at=None))
        fleet_health.link_spans(conn)  # what schema step 9 does for the spans already there
    with reading(central.engine) as conn:
        assert conn.execute(query).all() == kept
