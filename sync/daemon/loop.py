"""The daemon's loop: push, beat, pull; poll for new rows; back off while the central is away.

With a SIP2 library system as the upstream (``replay`` given), the push goes to the ACS
instead (``acs.py``) and the online flag follows the ACS; the central, when one is
configured (``client``), gets the rows the ACS refused as conflicts in place of the push,
still gets heartbeats with the faults and the online state, and changes are still pulled
from it. Without a central those steps are skipped.

Runs in its own process (``shufang sync``) or on a thread (``SyncDaemon.start()``, for the
demo). Either way it opens its own Store on the kiosk database and shares the file with the
UI process through WAL and short transactions. Time comes from a clock and every pause from
a wait function, so tests drive the loop without sleeping for real.
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.backoff import Backoff
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.models import Severity
from kiosk.store import Store, StoreError
from sync.daemon.acs import (
    UPSTREAM_DEVICE,
    AcsReport,
    ConflictJournal,
    forward_to_acs,
    report_conflicts,
)
from sync.daemon.central_client import CentralUpstream
from sync.daemon.connectivity import mark_offline, mark_online
from sync.daemon.heartbeat import send_heartbeat
from sync.daemon.lockouts import report_lockouts
from sync.daemon.pass_report import PassReport
from sync.daemon.pull import cursor_of, pull_changes
from sync.daemon.push import push_outbox
from sync.daemon.settings import SyncSettings
from sync.link.client import MalformedReply, Rejected, RetryLater, Unauthorized, Unavailable

if TYPE_CHECKING:
    from sync.sip2.replay import Sip2Replay

log = logging.getLogger("shufang.sync")

#: The faults a technician sees (on ``acs.UPSTREAM_DEVICE``) when the central refuses this
#: kiosk's token or its replies.
UNAUTHORIZED_CODE = "unauthorized"
REJECTED_CODE = "rejected"
MALFORMED_CODE = "malformed_reply"


class SyncDaemon:
    """The kiosk's link to the world while the reader's screens go on without it.

    Each pass sends what the kiosk decided (the journal's outbox, to the central or the
    library system's ACS), says how the kiosk is (heartbeat with its faults), and takes what
    changed centrally (patrons, items, policies); it then writes one online flag that the UI
    and the lending rules read. A failed pass never loses a row: the outbox is emptied only by
    acknowledgements, and the next pass waits on the shared back-off (``kiosk/backoff.py``),
    never sooner than a ``Retry-After``. Call :meth:`run_once` for one pass, :meth:`start` for
    a thread, :meth:`stop` to end it.
    """

    def __init__(
        self,
        store: Store,
        client: CentralUpstream | None,
        settings: SyncSettings,
        *,
        replay: Sip2Replay | None = None,
        clock: Clock | None = None,
        wait: Callable[[float], bool] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """``wait(seconds)`` pauses and returns True when the daemon should stop.

        ``replay`` makes the SIP2 library system the rows' destination; ``client`` is then
        optional (None: no central, so no heartbeats or pulls)."""
        if client is None and replay is None:
            raise ValueError("the daemon needs a central client, a SIP2 replay, or both")
        self.store = store
        self.client = client
        self.replay = replay
        self._journal = ConflictJournal(store)
        self.settings = settings
        self.clock = clock or SystemClock()
        self._stopping = threading.Event()
        self._woken = threading.Event()
        self._wait = wait or self._wait_for_wake
        self.backoff = Backoff(
            settings.min_backoff_s, settings.max_backoff_s, jitter=rng or random.Random()
        )
        self.unauthorized = False
        self._next_beat: datetime | None = None  # None: due now
        self._pull_wanted = True
        self._fault_may_be_open = True  # a previous run may have left upstream faults open
        self._thread: threading.Thread | None = None
        #: Called from the loop only, at least every ``watchdog_interval_s`` while it waits
        #: and before each pass: ``shufang sync`` feeds systemd's watchdog with it, so a pass
        #: that hangs stops the feeding and the unit is restarted.
        self.feed_watchdog: Callable[[], object] = lambda: None
        self.watchdog_interval_s: float | None = None

    # --- one pass ---------------------------------------------------------------------------

    def run_once(self, *, beat: bool = True, push: bool = True) -> PassReport:
        """Push the outbox, send a heartbeat, pull what the ack says is new; never raises
        for an upstream problem: the report says what went wrong and the rows stay queued.

        On a SIP2 site the ACS leg runs first, so the heartbeat of the same pass already
        carries its refusals and the online state it found."""
        report = PassReport()
        try:
            return self._run_pass(report, beat=beat, push=push)
        except (sqlite3.OperationalError, StoreError) as error:
            # The kiosk's own disk: full, read-only, or held past the busy timeout by the UI
            # process, possibly while noting a network error. Nothing was half written (each
            # write is one transaction); the rows stay queued and the loop backs off and
            # tries again, so the journal leaves as soon as space comes back.
            report.error = f"kiosk database cannot be written now: {error}"
            log.warning("%s", report.error)
            return report

    def _run_pass(self, report: PassReport, *, beat: bool, push: bool) -> PassReport:
        client = self.client
        try:
            if self.replay is not None:
                report.acs = self._forward_to_acs(self.replay)
            if client is None:  # no central: the beat is only the ACS status probe
                if beat:
                    self._next_beat = self.clock.now() + timedelta(
                        seconds=self.settings.heartbeat_s
                    )
                return report
            if push and not self.unauthorized and self.replay is None:
                report.push = push_outbox(self.store, client, self.clock, self.settings.batch_size)
                if report.push.sent:  # the central answered: the UI may decide online again
                    self._answered()
            if not self.unauthorized:  # before the beat, so this pass pulls them back
                report.lockouts_reported = report_lockouts(self.store, client, self.clock.now())
            if beat or self.unauthorized:
                report.beat = send_heartbeat(self.store, client, self._policy_version())
                self._next_beat = self.clock.now() + timedelta(seconds=self.settings.heartbeat_s)
                if report.beat.ack.latest_cursor > cursor_of(self.store):
                    self._pull_wanted = True
            if self._pull_wanted:
                report.pull = pull_changes(self.store, client, self.clock, self.settings.page_size)
                self._pull_wanted = False
            if push and not self.unauthorized and self.replay is not None:
                # What the ACS refused goes to the central's conflicts, in place of a push;
                # last, so a report the central rejects never holds back heartbeats or pulls.
                report.reported = report_conflicts(
                    self.store, client, batch_size=self.settings.batch_size, now=self.clock.now
                )
        except Unauthorized as error:
            report.authorized = False
            report.error = str(error)
            self._refused(str(error))
            return report
        except (MalformedReply, KeyError, TypeError, AttributeError) as error:
            # 200 with a body that is not the central's (a portal, a broken proxy, a bad
            # record): an upstream error, never a crash; the page's transaction rolled back.
            report.reachable = False
            report.error = f"central sent a malformed reply: {error}"
            log.warning("%s", report.error)
            self.store.faults.record(
                UPSTREAM_DEVICE,
                MALFORMED_CODE,
                Severity.ERROR.value,
                report.error[:300],
                self.clock.now(),
            )
            self._fault_may_be_open = True
            if self.replay is None:
                mark_offline(self.store, self.clock.now())
            return report
        except Unavailable as error:
            report.reachable = False
            report.error = str(error)
            report.retry_after_s = error.retry_after_s if isinstance(error, RetryLater) else None
            if self.replay is None:  # on a SIP2 site the ACS, not the central, is the link
                mark_offline(self.store, self.clock.now())
            return report
        except Rejected as error:
            # A bug on one side, not the network: keep the rows, tell a technician, retry slowly.
            report.error = f"central rejected a request: {error.status}"
            self.store.faults.record(
                UPSTREAM_DEVICE, REJECTED_CODE, Severity.ERROR.value, report.error, self.clock.now()
            )
            self._fault_may_be_open = True
            return report
        self._answered()
        return report

    def _forward_to_acs(self, replay: Sip2Replay) -> AcsReport:
        """Replay to the ACS; its answering (or not) is what the UI's online flag means here."""
        report = forward_to_acs(
            self.store,
            replay,
            self._journal,
            batch_size=self.settings.batch_size,
            now=self.clock.now,
        )
        if report.reachable:
            mark_online(self.store)
        else:
            mark_offline(self.store, self.clock.now())
        return report

    def _answered(self) -> None:
        """The central answered: clear its faults (and, when it is the upstream, go online)."""
        if self.replay is None:
            mark_online(self.store)
        if self.unauthorized:
            log.info("central accepts this kiosk's token again; pushing resumes")
            self.unauthorized = False
        if self._fault_may_be_open:
            now = self.clock.now()
            self.store.faults.clear(UPSTREAM_DEVICE, UNAUTHORIZED_CODE, now)
            self.store.faults.clear(UPSTREAM_DEVICE, REJECTED_CODE, now)
            self.store.faults.clear(UPSTREAM_DEVICE, MALFORMED_CODE, now)
            self._fault_may_be_open = False

    def _refused(self, message: str) -> None:
        """Stop pushing (retrying cannot help) but keep every row; a technician must re-enrol."""
        if not self.unauthorized:
            log.error("central refused this kiosk's token; pushes stop until it is re-enrolled")
        self.unauthorized = True
        self._fault_may_be_open = True
        now = self.clock.now()
        self.store.faults.record(
            UPSTREAM_DEVICE, UNAUTHORIZED_CODE, Severity.ERROR.value, message, now
        )
        if self.replay is None:
            mark_offline(self.store, now)

    def _policy_version(self) -> str | None:
        document = self.store.policies.active_document()
        if not document:
            return None
        try:
            version = json.loads(document).get("version")
        except (ValueError, AttributeError):
            return None
        return str(version) if version is not None else None

    # --- the loop ---------------------------------------------------------------------------

    def _healthy(self, report: PassReport) -> bool:
        """Whether the loop may go on polling for fresh rows. On a SIP2 site only the ACS
        counts: a central in trouble must not hold back the replay, so it is simply tried
        again at a later beat (never sooner than its Retry-After)."""
        if self.replay is None or report.acs is None:
            return report.ok
        if not report.central_ok:
            wait = (
                self.settings.max_backoff_s
                if not report.authorized
                else max(self.settings.heartbeat_s, report.retry_after_s or 0.0)
            )
            self._next_beat = self.clock.now() + timedelta(seconds=wait)
        return report.acs.reachable

    def _beat_due(self) -> bool:
        return self._next_beat is None or self.clock.now() >= self._next_beat

    def _wait_for_wake(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            step = min(left, self.watchdog_interval_s or left)
            if self._woken.wait(max(step, 0.0)) or step >= left:
                break
            self.feed_watchdog()
        self._woken.clear()
        return self._stopping.is_set()

    def wake(self) -> None:
        """Cut the current pause short: retry now (network back, "sync now" pressed)."""
        self._woken.set()

    def _pause(self, seconds: float) -> bool:
        self.feed_watchdog()
        stop = bool(self._wait(seconds)) or self._stopping.is_set()
        self.feed_watchdog()
        return stop

    def run_forever(self) -> None:
        """Until stopped: a full pass, then cheap polls for fresh journal rows between beats."""
        seen_version = self.store.data_version()
        self.feed_watchdog()
        report = self.run_once(beat=True)
        while True:
            if not self._healthy(report):
                delay = (
                    self.settings.max_backoff_s
                    if not report.authorized
                    else self.backoff.next_delay(report.retry_after_s)
                )
                if self.replay is not None:
                    # the ACS is away: probe it (and beat, so the fleet sees the kiosk
                    # offline) at least once a heartbeat period
                    delay = min(delay, self.settings.heartbeat_s)
                why = report.error or (report.acs.error if report.acs else "")
                log.info("upstream unreachable (%s); retrying in %.1f s", why, delay)
                if self._pause(delay):
                    return
                report = self.run_once(beat=True)
                continue
            self.backoff.reset()
            if self._pause(self.settings.poll_s):
                return
            if self._beat_due():
                report = self.run_once(beat=True)
                continue
            version = self.store.data_version()
            if version != seen_version:
                # Another connection committed (the UI, usually a loan): send it now.
                seen_version = version
                if self.store.journal.pending(1):
                    report = self.run_once(beat=False)

    # --- on a thread (the demo, tests) -------------------------------------------------------

    @classmethod
    def from_config(cls, config: Config, *, clock: Clock | None = None) -> SyncDaemon:
        """The daemon as ``shufang sync`` runs it: its own Store on the configured database,
        and for ``upstream.kind = "sip2"`` its own SIP2 session (separate from the UI's)."""
        from sync.daemon.central_client import DaemonClient

        settings = SyncSettings.from_config(config)
        store = Store(config["database.path"], busy_timeout_ms=config["database.busy_timeout_ms"])
        replay = None
        if config["upstream.kind"] == "sip2":
            from sync.sip2.config import connector_from

            replay = connector_from(config, store).replay
        client = None
        if replay is None or settings.central_configured:
            client = DaemonClient(settings.url, settings.token, timeout=settings.timeout_s)
        return cls(store, client, settings, replay=replay, clock=clock)

    def close(self) -> None:
        """Stop, then close the SIP2 session and the daemon's own Store."""
        self.stop()
        if self.replay is not None:
            self.replay.upstream.client.close()
        self.store.close()

    def start(self) -> SyncDaemon:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run_logged, name="sync-daemon", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """Whether the loop's thread (from :meth:`start`) is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _run_logged(self) -> None:
        try:
            self.run_forever()
        except Exception:  # a thread's death must be visible, never silent
            log.exception("sync daemon stopped by an unexpected error")
            raise

    def request_stop(self) -> None:
        """Ask the loop to end after its current step (safe from a signal handler)."""
        self._stopping.set()
        self._woken.set()

    def stop(self, timeout: float = 10.0) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
