"""Failed sign-ins per client address, so one address cannot guess at every account.

The account lock-out (``staff_accounts``) stops guessing one password; this stops one
machine trying many usernames, and keeps it from locking colleagues out one after another.
Per app and in memory (``Runtime.signins``): behind N API processes an address gets N times
the allowance, still far too few guesses to matter, and nothing to share or clean up.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

#: Failed sign-ins one address may make in ``WINDOW`` before it must wait.
LIMIT = 20
WINDOW = timedelta(minutes=10)
#: Addresses remembered at most; a flood of spoofed ones cannot grow memory without end.
MAX_ADDRESSES = 10_000


class AddressThrottle:
    def __init__(self, limit: int = LIMIT, window: timedelta = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(address, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def blocked_until(self, address: str, now: datetime) -> datetime | None:
        with self._lock:
            times = self._recent(address, now)
            return times[0] + self.window if len(times) >= self.limit else None

    def failed(self, address: str, now: datetime) -> None:
        with self._lock:
            if len(self._failures) >= MAX_ADDRESSES and address not in self._failures:
                self._failures.clear()
            times = self._recent(address, now)
            times.append(now)
            self._failures[address] = times
