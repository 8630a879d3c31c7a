"""Parallel SIP2 sessions, for library systems that allow several per terminal."""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sync.sip2.client import Account, AcsStatus, Sip2Client
from sync.sip2.errors import Timeout
from sync.sip2.messages import Message


class Sip2Pool:
    """Several logged-in sessions behind the client's interface (``exchange``, ``status``...).

    A busy ACS takes 0.3–2.4 s per checkout; a reader's stack of five items one after the
    other would wait for all of them in turn. With parallel sessions each item gets its own
    answer at the same time, and every loan is still decided by the ACS alone.
    """

    def __init__(self, make_client: Callable[[], Sip2Client], size: int) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one session")
        self.clients = [make_client() for _ in range(size)]
        self._idle: queue.SimpleQueue[Sip2Client] = queue.SimpleQueue()
        for client in self.clients:
            self._idle.put(client)

    @property
    def size(self) -> int:
        return len(self.clients)

    @property
    def account(self) -> Account:
        return self.clients[0].account

    @property
    def status(self) -> AcsStatus | None:
        known = [c.status for c in self.clients if c.status is not None]
        return max(known, key=lambda s: s.at) if known else None

    @property
    def exchanges(self) -> int:
        return sum(c.exchanges for c in self.clients)

    def now(self) -> datetime:
        return self.clients[0].now()

    def _borrow(self, budget_s: float | None) -> Sip2Client:
        try:
            return self._idle.get(timeout=budget_s)
        except queue.Empty:
            raise Timeout("no free SIP2 session within the budget") from None

    def exchange(
        self,
        message: Message,
        budget_s: float | None = None,
        *,
        retries: int | None = None,
        once: bool = False,
        late_reply_s: float = 0.0,
    ) -> Message:
        client = self._borrow(budget_s)
        try:
            return client.exchange(
                message, budget_s, retries=retries, once=once, late_reply_s=late_reply_s
            )
        finally:
            self._idle.put(client)

    def sc_status(self, budget_s: float | None = None) -> AcsStatus:
        client = self._borrow(budget_s)
        try:
            return client.sc_status(budget_s)
        finally:
            self._idle.put(client)

    def connect_all(self) -> None:
        """Open every session now (in parallel), so the first reader does not pay for it."""
        with ThreadPoolExecutor(self.size) as workers:
            list(workers.map(lambda c: c.connect(), self.clients))

    def close(self) -> None:
        for client in self.clients:
            client.close()
