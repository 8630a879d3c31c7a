"""Wait for a condition with a deadline instead of sleeping and hoping: the tests' one way."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], timeout: float = 5.0, what: str = "condition", every: float = 0.005
) -> T:
    """Poll ``condition`` until it is truthy and return its value; fail the test with what was
    awaited when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)
