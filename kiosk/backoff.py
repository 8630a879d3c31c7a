"""Waiting longer after each failure in a row: the one back-off every reconnect and retry uses.

A device supervisor reconnecting an unplugged scanner, the RFID pad watcher reopening its
reader and the sync daemon retrying the central all wait ``first_s``, then twice that after
each further failure, up to ``max_s``, and start again from ``first_s`` after a success.

The sync daemon also asks for *jitter*: a fleet of kiosks that lost the network together must
not all come back in the same second, so each delay is a uniform draw between half the first
delay and the current step (close to "full jitter": the ceiling grows, the fleet spreads).
Devices are local, so they wait exactly. And a server that said when to come back
(``Retry-After``) is never asked sooner.
"""

from __future__ import annotations

import random

#: A Retry-After longer than this is treated as this: a wrong header must not park a kiosk.
RETRY_AFTER_CAP_S = 3600.0


class Backoff:
    """Delay before the next attempt after ``failures`` failures in a row.

    ``jitter`` is the random source for the fleet's spread; without one the delays are exact
    (1, 2, 4 … capped), which is what a device on the kiosk's own USB port wants.
    """

    def __init__(
        self,
        first_s: float = 1.0,
        max_s: float = 60.0,
        *,
        jitter: random.Random | None = None,
        factor: float = 2.0,
    ) -> None:
        self.first_s = first_s
        self.max_s = max_s
        self.factor = factor
        self.failures = 0
        self._jitter = jitter

    def reset(self) -> None:
        """The attempt succeeded: the next failure waits ``first_s`` again."""
        self.failures = 0

    def next_delay(self, retry_after_s: float | None = None) -> float:
        """Count one more failure and return how long to wait before trying again."""
        step = min(self.max_s, self.first_s * self.factor**self.failures)
        self.failures += 1
        if self._jitter is None:
            delay = step
        else:
            delay = self._jitter.uniform(min(self.first_s, step) / 2, step)
        if retry_after_s is not None:
            # The server said when; a busy service is not helped by an earlier retry.
            delay = max(delay, min(retry_after_s, RETRY_AFTER_CAP_S))
        return delay
