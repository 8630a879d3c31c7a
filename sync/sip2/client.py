"""SIP2 client session: login, status, sequence numbers, resends, timeouts and reconnects."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sync.sip2 import messages
from sync.sip2.errors import (
    ChecksumMismatch,
    LoginRefused,
    MalformedMessage,
    ReplyLost,
    Timeout,
    Unavailable,
)
from sync.sip2.fields import (
    INSTITUTION,
    LOCATION_CODE,
    LOGIN_PASSWORD,
    LOGIN_USER,
    SCREEN_MESSAGE,
    sip_date,
)
from sync.sip2.messages import Message
from sync.sip2.transport import Endpoint, Transport

log = logging.getLogger(__name__)

#: Field ids SIP2 2.00 defines for replies; anything else is a dialect's extension.
_REPLY_FIELD_IDS = (
    "AA AB AE AF AG AH AJ AM AN AO AP AQ AS AT AU AV BD BE BF BG BH BK BL BM BN BR BS BT BU BV "
    "BW BX BZ CA CB CC CD CF CH CI CJ CK CL CM CQ CV"
)
KNOWN_REPLY_FIELDS = frozenset(_REPLY_FIELD_IDS.split())


@dataclass(frozen=True)
class Account:
    """Who the kiosk is at the ACS and how it talks: the ``sip2.*`` settings that matter here."""

    login_user: str = ""
    login_password: str = ""
    location_code: str = ""
    institution_id: str = ""
    terminal_password: str = ""
    charset: str = "utf-8"
    checksums: bool = True
    timeout_s: float = 5.0
    retries: int = 2
    max_resends: int = 3
    language: str = "000"
    max_print_width: int = 40
    bad_checksums: str = "verify"  # or "accept": see the sip2.bad_checksums setting


@dataclass(frozen=True)
class AcsStatus:
    """The ACS's answer to 99: whether it is online and whether it takes offline transactions."""

    online: bool
    checkin_ok: bool
    checkout_ok: bool
    renewal_ok: bool
    offline_ok: bool
    protocol_version: str
    institution_id: str
    supported: str
    at: datetime
    screen_messages: tuple[str, ...] = field(default_factory=tuple)

    def supports(self, command: str) -> bool:
        """Whether the BX bitmap lists ``command`` (unknown when BX is missing: assume yes)."""
        order = (
            "23",
            "11",
            "09",
            "01",
            "99",
            "97",
            "93",
            "63",
            "35",
            "37",
            "17",
            "19",
            "25",
            "15",
            "29",
            "65",
        )
        if command not in order or len(self.supported) < len(order):
            return True
        return self.supported[order.index(command)] == "Y"


class Sip2Client:
    """One SIP2 session. Thread safe: one request at a time on the connection.

    Every request gets a fresh sequence digit; a ``96`` resends the same bytes; a reply with
    a bad checksum gets a ``97``; a timeout or a closed connection drops the socket and the
    request is tried again on a new, logged-in connection, up to ``retries`` times. A request
    that timed out may already have been applied by the ACS: callers that replay transactions
    send the original transaction date so that the ACS (or its reply) can tell.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        account: Account,
        *,
        transport: Transport | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        faults: Callable[[str, str], None] | None = None,
    ) -> None:
        self.account = account
        self.transport = transport or Transport(endpoint)
        self.now = now
        self.status: AcsStatus | None = None
        self.faults = faults  # (code, message) -> recorded in the kiosk's fault log
        self._told_bad_checksums = False
        self._sequence = -1
        self._lock = threading.RLock()
        self._reported_fields: set[tuple[str, str]] = set()
        self._sent = False  # whether the request in hand has left (see ``exchange``)
        self._pending: tuple[Message, bytes, int | None, str] | None = None
        self.exchanges = 0  # messages answered, for diagnostics and benchmarks

    # --- session -------------------------------------------------------------------------

    def connect(self, deadline: float | None = None) -> AcsStatus:
        """Open the connection, log in when an account is configured and ask the ACS status."""
        with self._lock:
            self.transport.open()
            try:
                if self.account.login_user:
                    self._login(deadline)
                return self._sc_status(deadline)
            except BaseException:
                self.transport.close()
                raise

    def close(self) -> None:
        with self._lock:
            self.transport.close()

    def sc_status(self, budget_s: float | None = None) -> AcsStatus:
        """Ask 99 again (the ACS's view of online/offline can change while connected)."""
        with self._lock:
            deadline = None if budget_s is None else time.monotonic() + budget_s
            if not self.transport.connected:
                return self.connect(deadline)
            try:
                return self._sc_status(deadline)
            except Unavailable:
                return self.connect(deadline)

    def _login(self, deadline: float | None) -> None:
        a = self.account
        login = messages.request(
            "93",
            {"uid_algorithm": "0", "pwd_algorithm": "0"},
            (LOGIN_USER, a.login_user),
            (LOGIN_PASSWORD, a.login_password),
            (LOCATION_CODE, a.location_code or None),
        )
        reply = self._round_trip(login, deadline)
        if not reply.flag("ok"):
            raise LoginRefused("the ACS refused the login")

    def _sc_status(self, deadline: float | None) -> AcsStatus:
        width = f"{min(max(self.account.max_print_width, 0), 999):03d}"
        status = messages.request(
            "99", {"status_code": "0", "max_print_width": width, "protocol_version": "2.00"}
        )
        reply = self._round_trip(status, deadline)
        self.status = AcsStatus(
            online=reply.flag("online_status"),
            checkin_ok=reply.flag("checkin_ok"),
            checkout_ok=reply.flag("checkout_ok"),
            renewal_ok=reply.flag("acs_renewal_policy"),
            offline_ok=reply.flag("offline_ok"),
            protocol_version=reply.fixed.get("protocol_version", ""),
            institution_id=reply.get(INSTITUTION, "") or "",
            supported=reply.get("BX", "") or "",
            at=self.now(),
            screen_messages=tuple(reply.all(SCREEN_MESSAGE)),
        )
        return self.status

    # --- requests ------------------------------------------------------------------------

    def exchange(
        self,
        message: Message,
        budget_s: float | None = None,
        *,
        retries: int | None = None,
        once: bool = False,
        late_reply_s: float = 0.0,
    ) -> Message:
        """Send ``message`` and return its reply, reconnecting and retrying as configured.

        ``budget_s`` bounds the whole call (connects and retries included): the kiosk waits
        about 2 s for a live decision before it decides offline. ``retries`` overrides the
        account's count (the replay sends once, then checks the item before sending again).

        ``once`` is for requests that change state (11, 29, 09): once their bytes have left,
        they are never sent again. A reply that misses the budget is still awaited for
        ``late_reply_s`` on the same connection (the ACS answers in order, so a late reply is
        the true one); if none comes, ``ReplyLost`` says the ACS may have applied it, and the
        caller finds out what happened instead of deciding offline.
        """
        deadline = None if budget_s is None else time.monotonic() + budget_s
        last: Unavailable | None = None
        with self._lock:
            for _attempt in range((self.account.retries if retries is None else retries) + 1):
                if deadline is not None and time.monotonic() >= deadline:
                    break
                self._sent = False
                if self.transport.connected and self.transport.peer_closed():
                    # closed by the ACS while idle: the request has not left, connect again
                    self.transport.close()
                try:
                    if not self.transport.connected:
                        self.connect(deadline)
                    return self._round_trip(message, deadline)
                except (Unavailable, MalformedMessage) as exc:
                    if once and self._sent:
                        return self._late_reply(message, exc, late_reply_s)
                    log.log(
                        logging.WARNING if isinstance(exc, MalformedMessage) else logging.INFO,
                        "sip2 %s: %s; reconnecting",
                        message.command,
                        exc,
                    )
                    self.transport.close()
                    last = exc if isinstance(exc, Unavailable) else Unavailable(str(exc))
            raise last or Timeout("latency budget spent")

    def _late_reply(self, message: Message, failure: Exception, wait_s: float) -> Message:
        """The reply to a request already sent, if it still comes; else ``ReplyLost``."""
        pending = self._pending
        waiting = isinstance(failure, Timeout) and self.transport.connected and wait_s > 0
        if waiting and pending is not None:
            try:
                reply = self._await_reply(*pending, time.monotonic() + wait_s, patient=True)
            except (Unavailable, MalformedMessage) as exc:
                failure = exc
            else:
                log.info("sip2 %s: used a reply that came after the budget", message.command)
                return reply
        self.transport.close()
        log.warning("sip2 %s: sent but no reply (%s); not sent again", message.command, failure)
        raise ReplyLost(f"{message.command} sent, reply lost: {failure}") from failure

    def today(self) -> str:
        return sip_date(self.now())

    def _next_sequence(self) -> int:
        self._sequence = (self._sequence + 1) % 10
        return self._sequence

    def _timeout(self, deadline: float | None, *, patient: bool = False) -> float:
        if deadline is None:
            return self.account.timeout_s
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout("latency budget spent")
        return left if patient else min(self.account.timeout_s, left)

    def _round_trip(self, message: Message, deadline: float | None) -> Message:
        charset = self.account.charset
        sequence = self._next_sequence() if self.account.checksums else None
        frame = messages.encode(message, charset=charset, sequence=sequence)
        expected = messages.REPLY_TO[message.command]
        self.transport.discard_pending()
        self._pending = None
        self.transport.send(frame)
        self._sent = True
        self._pending = (message, frame, sequence, expected)
        return self._await_reply(message, frame, sequence, expected, deadline)

    def _await_reply(
        self,
        message: Message,
        frame: bytes,
        sequence: int | None,
        expected: str,
        deadline: float | None,
        *,
        patient: bool = False,
    ) -> Message:
        charset = self.account.charset
        if deadline is None:  # one overall deadline: wrong or stray replies never extend it
            deadline = time.monotonic() + self.account.timeout_s
        resends = 0
        while True:
            raw = self.transport.receive(self._timeout(deadline, patient=patient))
            try:
                reply = messages.decode(raw, charset=charset)
            except ChecksumMismatch:
                if self.account.bad_checksums == "accept":
                    accepted = self._accept_bad_checksum(raw, expected)
                    if accepted is None:
                        continue
                    return accepted
                resends += 1
                if resends > self.account.max_resends:
                    raise
                log.info("sip2 %s: reply failed its checksum; asking for a resend", expected)
                self.transport.send(messages.encode(Message("97"), charset=charset, sequence=0))
                continue
            except MalformedMessage as exc:
                # garbage between replies (a stray frame, a wrong terminator): skip it and
                # keep waiting; a garbled real reply ends in a timeout and a retry
                resends += 1
                if resends > self.account.max_resends:
                    raise
                log.warning("sip2 %s: skipped an unreadable frame (%s)", expected, exc)
                continue
            if reply.command == "96":
                resends += 1
                if resends > self.account.max_resends:
                    hint = "" if self.account.checksums else "; turn on sip2.checksums"
                    raise MalformedMessage(f"the ACS keeps asking for a resend{hint}")
                log.info("sip2 %s: the ACS asked for a resend", message.command)
                self.transport.send(frame)
                continue
            if reply.command != expected:
                log.warning("sip2: ignored a %s while waiting for %s", reply.command, expected)
                continue
            if sequence is not None and reply.sequence not in (None, sequence):
                log.info("sip2 %s: ignored a late reply (sequence %s)", expected, reply.sequence)
                continue
            self._report_unknown_fields(reply)
            self.exchanges += 1
            return reply

    def _accept_bad_checksum(self, raw: bytes, expected: str) -> Message | None:
        """A reply whose checksum is wrong, taken as the site asked (``bad_checksums`` =
        accept): said once in the log, counted every time as a fault."""
        if not self._told_bad_checksums:
            self._told_bad_checksums = True
            log.warning("sip2 %s: reply checksum wrong; accepted (sip2.bad_checksums)", expected)
        if self.faults is not None:
            self.faults("sip2_checksum", "reply accepted with a wrong checksum")
        try:
            reply = messages.decode(raw, charset=self.account.charset, verify=False)
        except MalformedMessage as exc:
            log.warning("sip2 %s: skipped an unreadable frame (%s)", expected, exc)
            return None
        if reply.command != expected:
            return None
        self._report_unknown_fields(reply)
        self.exchanges += 1
        return reply

    def _report_unknown_fields(self, reply: Message) -> None:
        for fid, _value in reply.fields:
            key = (reply.command, fid)
            if fid not in KNOWN_REPLY_FIELDS and key not in self._reported_fields:
                self._reported_fields.add(key)  # once per field, so a dialect cannot flood logs
                log.info("sip2 %s: unknown field %s ignored", reply.command, fid)
