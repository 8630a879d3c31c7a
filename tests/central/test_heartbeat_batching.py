"""Heartbeats recorded together: many kiosks' beats in one transaction, each answered after it.

The batching must not change what a beat means: every beat is answered only once recorded,
a token revoked after the service cached it is refused at once, one bad beat does not take
the others down, and the fleet shows exactly what one-at-a-time recording would.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sync import wire
from sync.central import auth, beat_writer, heartbeats
from sync.central.database import writing
from sync.central.fleet_health_tables import uptime_spans
from sync.central.schema import kiosks
from tests.fixtures.central import START, Central

MINUTE = timedelta(minutes=1)


def _beat(depth: int = 0, state: str = "in_service") -> wire.Heartbeat:
    return wire.Heartbeat(state=state, outbox_depth=depth, software_version="0.1.0")


def test_concurrent_beats_share_transactions_and_each_is_recorded(central: Central):
    apis = [central.enrol(f"k{n:02d}") for n in range(24)]
    writer = central_writer(central)
    start = threading.Barrier(len(apis))

    def send(index: int) -> int:
        start.wait()
        reply = apis[index].post("/heartbeat", _beat(depth=index))
        return reply.status_code

    with ThreadPoolExecutor(len(apis)) as pool:
        statuses = list(pool.map(send, range(len(apis))))
    assert statuses == [200] * len(apis)
    assert writer.beats == len(apis)
    with writing(central.engine) as conn:
        depths = dict(conn.execute(sa.select(kiosks.c.kiosk_id, kiosks.c.outbox_depth)).all())
        spans = conn.execute(sa.select(sa.func.count()).select_from(uptime_spans)).scalar_one()
    assert depths == {f"k{n:02d}": n for n in range(24)}
    assert spans == 24  # one span started per kiosk, none doubled by the batching


def test_a_token_revoked_after_it_was_cached_is_refused_at_once(central: Central):
    api = central.enrol("k1")
    assert api.post("/heartbeat", _beat()).status_code == 200  # now cached by the service
    with writing(central.engine) as conn:
        auth.revoke_kiosk(conn, "k1", central.clock.now())
    refused = api.post("/heartbeat", _beat(depth=7))
    assert refused.status_code == 401
    with writing(central.engine) as conn:
        depth = conn.execute(
            sa.select(kiosks.c.outbox_depth).where(kiosks.c.kiosk_id == "k1")
        ).scalar_one()
    assert depth == 0  # the refused beat changed nothing


def test_a_re_enrolled_kiosk_old_token_is_refused_and_the_new_one_works(central: Central):
    old = central.enrol("k1")
    assert old.post("/heartbeat", _beat()).status_code == 200
    new = central.enrol("k1")  # enrolling again replaces the token
    assert old.post("/heartbeat", _beat()).status_code == 401
    assert new.post("/heartbeat", _beat()).status_code == 200


def test_one_failing_beat_does_not_fail_the_others_in_its_batch(central: Central, monkeypatch):
    """The batch fails as a whole; each beat is then recorded alone, and only the bad one fails."""
    engine = central.engine
    real = heartbeats.record_heartbeats

    def record(conn, received, window):
        if any(r.beat.outbox_depth == 666 for r in received):
            raise RuntimeError("bad beat")
        return real(conn, received, window)

    monkeypatch.setattr(heartbeats, "record_heartbeats", record)
    with writing(engine) as conn:
        for n in range(3):
            auth.enrol_kiosk(conn, f"k{n}", "main", START)
    writer = beat_writer.HeartbeatWriter(engine, timedelta(minutes=3))

    async def main() -> list[object]:
        beats = [
            writer.record(heartbeats.ReceivedBeat(f"k{n}", _beat(depth), START))
            for n, depth in enumerate((1, 666, 3))
        ]
        return await asyncio.gather(*beats, return_exceptions=True)

    good, bad, also_good = asyncio.run(main())
    assert isinstance(good, wire.HeartbeatAck) and isinstance(also_good, wire.HeartbeatAck)
    assert isinstance(bad, RuntimeError)
    with writing(engine) as conn:
        seen = dict(conn.execute(sa.select(kiosks.c.kiosk_id, kiosks.c.last_seen_at)).all())
    assert seen == {"k0": START, "k1": None, "k2": START}


def test_two_beats_of_one_kiosk_in_one_batch_keep_their_order(central: Central):
    """The kiosk row ends with the later beat; one span covers both."""
    with writing(central.engine) as conn:
        auth.enrol_kiosk(conn, "k1", "main", START)
        recorded = heartbeats.record_heartbeats(
            conn,
            [
                heartbeats.ReceivedBeat("k1", _beat(1), START),
                heartbeats.ReceivedBeat("k1", _beat(2), START + MINUTE),
                heartbeats.ReceivedBeat("nobody", _beat(3), START + MINUTE),
            ],
            timedelta(minutes=3),
        )
    assert recorded == [True, True, False]
    with writing(central.engine) as conn:
        row = conn.execute(sa.select(kiosks).where(kiosks.c.kiosk_id == "k1")).one()
        spans = conn.execute(sa.select(uptime_spans.c.start_at, uptime_spans.c.end_at)).all()
    assert row.outbox_depth == 2 and row.last_seen_at == START + MINUTE
    assert spans == [(START, START + MINUTE)]


@pytest.mark.parametrize("gap_minutes, spans_expected", [(2, 1), (4, 2)])
def test_batched_spans_break_on_silence_like_single_beats(
    central: Central, gap_minutes: int, spans_expected: int
):
    with writing(central.engine) as conn:
        auth.enrol_kiosk(conn, "k1", "main", START)
        heartbeats.record_heartbeats(
            conn,
            [
                heartbeats.ReceivedBeat("k1", _beat(), START),
                heartbeats.ReceivedBeat("k1", _beat(), START + gap_minutes * MINUTE),
            ],
            timedelta(minutes=3),
        )
    with writing(central.engine) as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(uptime_spans)).scalar_one()
    assert count == spans_expected


def central_writer(central: Central) -> beat_writer.HeartbeatWriter:
    app = central.server._server.config.app  # the app the background server runs
    return app.state.runtime.heartbeats
