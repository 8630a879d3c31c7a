"""Exponential back-off with full jitter, capped, that never retries sooner than Retry-After."""

from __future__ import annotations

import random

#: A Retry-After longer than this is treated as this: a wrong header must not park a kiosk.
RETRY_AFTER_CAP_S = 3600.0


class Backoff:
    """Delay before the next retry after ``failures`` failures in a row.

    Full jitter (a uniform draw up to the exponential ceiling) spreads a fleet of kiosks that
    lost the network together, so they do not all return at the same second.
    """

    def __init__(self, first_s: float, max_s: float, rng: random.Random | None = None) -> None:
        self.first_s = first_s
        self.max_s = max_s
        self.failures = 0
        self._rng = rng or random.Random()

    def reset(self) -> None:
        self.failures = 0

    def next_delay(self, retry_after_s: float | None = None) -> float:
        """Count one more failure and return how long to wait before trying again."""
        ceiling = min(self.max_s, self.first_s * 2**self.failures)
        self.failures += 1
        delay = self._rng.uniform(min(self.first_s, ceiling) / 2, ceiling)
        if retry_after_s is not None:
            # The server said when; a busy service is not helped by an earlier retry.
            delay = max(delay, min(retry_after_s, RETRY_AFTER_CAP_S))
        return delay
