"""Group commit for heartbeats: many kiosks' beats recorded in one transaction.

Why: a fleet of 60,000 kiosks beating once a minute is 1,000 heartbeats a second. Recorded
one transaction each, every beat pays for its own round trips, commit and connection
checkout, and one API process manages a few hundred a second. Here request handlers hand
their beat to one writer thread and wait; the writer takes everything that queued up while
it was busy and records it with a handful of statements (``heartbeats.record_heartbeats``). Under
light load a batch is one beat and nothing waits; under heavy load batches grow, so the cost
per beat falls just when it matters.

Each beat is still answered only after its transaction has committed, and a batch that fails
is retried beat by beat, so one bad beat never takes others down with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine

from sync import wire
from sync.central import heartbeats
from sync.central.auth import TokenRevoked
from sync.central.database import write_with_retry

log = logging.getLogger("shufang.central.heartbeat")

#: Most beats in one transaction: bounds one transaction's locks and statement size.
MAX_BATCH = 500
#: A batch slower than this is logged: the database is struggling.
SLOW_SECONDS = 0.25
#: The writer thread ends after this long without a beat and starts again with the next.
IDLE_SECONDS = 30.0


@dataclass(slots=True)
class _Waiting:
    received: heartbeats.ReceivedBeat
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[wire.HeartbeatAck]


class HeartbeatWriter:
    """One per app; ``record`` may be awaited from any number of requests at once."""

    def __init__(self, engine: Engine, online_window: timedelta) -> None:
        self.engine = engine
        self.online_window = online_window
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # how many transactions, for tests and diagnostics
        self.beats = 0

    async def record(self, received: heartbeats.ReceivedBeat) -> wire.HeartbeatAck:
        """Record the beat (batched with others); raises ``auth.TokenRevoked`` when the
        kiosk's token was revoked or replaced before the beat could be recorded."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[wire.HeartbeatAck] = loop.create_future()
        self._queue.put(_Waiting(received, loop, future))
        self._ensure_running()
        return await future

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="central-heartbeats", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # a beat queued after the timeout keeps the thread going
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[_Waiting]) -> None:
        started = time.monotonic()
        try:
            recorded, (policy_version, cursor) = write_with_retry(
                self.engine,
                lambda conn: (
                    heartbeats.record_heartbeats(
                        conn, [w.received for w in batch], self.online_window
                    ),
                    heartbeats.policy_version_and_cursor(conn),
                ),
            )
        except Exception as error:  # each waiting request gets its answer
            if len(batch) > 1:  # find the bad beat: the others are recorded one by one
                for waiting in batch:
                    self._write([waiting])
                return
            log.exception("heartbeat of kiosk %s not recorded", batch[0].received.kiosk_id)
            _settle(batch[0], error)
            return
        self.batches += 1
        self.beats += sum(recorded)
        took = time.monotonic() - started
        if took > SLOW_SECONDS:
            log.warning("recording %d heartbeats took %.0f ms", len(batch), took * 1000)
        for waiting, ok in zip(batch, recorded, strict=True):
            if ok:
                ack = wire.HeartbeatAck(
                    received_at=waiting.received.at,
                    policy_version=policy_version,
                    latest_cursor=cursor,
                )
                _settle(waiting, ack)
            else:
                _settle(waiting, TokenRevoked(waiting.received.kiosk_id))


def _settle(waiting: _Waiting, outcome: wire.HeartbeatAck | BaseException) -> None:
    def deliver() -> None:
        if waiting.future.done():  # the client went away and the request was cancelled
            return
        if isinstance(outcome, BaseException):
            waiting.future.set_exception(outcome)
        else:
            waiting.future.set_result(outcome)

    # A closed loop means the server stopped: nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        waiting.loop.call_soon_threadsafe(deliver)
