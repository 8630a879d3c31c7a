"""Faults a simulated reader can be told to show: silence, bad CRCs, tags leaving, unplugging."""

from __future__ import annotations

import threading


class ReaderFaults:
    """Armed from test code or the demo's simulator panel, consumed by a simulator's I/O thread.

    Counted faults (``drop_replies``, ``corrupt_replies``) fire on the next N replies; a
    removal fires on the next write to that tag; ``unplug`` lasts until ``replug``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._drop = 0
        self._corrupt = 0
        self._removals: dict[bytes | None, int] = {}
        self._unplugged = False

    def drop_replies(self, count: int = 1) -> None:
        """The reader swallows the next ``count`` requests without answering."""
        with self._lock:
            self._drop += count

    def corrupt_replies(self, count: int = 1) -> None:
        """The next ``count`` replies arrive with a broken CRC."""
        with self._lock:
            self._corrupt += count

    def remove_during_write(self, uid: bytes | None = None, after_blocks: int = 1) -> None:
        """The tag (any tag when ``uid`` is None) leaves the field during its next write."""
        with self._lock:
            self._removals[uid] = after_blocks

    def unplug(self) -> None:
        with self._lock:
            self._unplugged = True

    def replug(self) -> None:
        with self._lock:
            self._unplugged = False

    def reset(self) -> None:
        with self._lock:
            self._drop = self._corrupt = 0
            self._removals.clear()
            self._unplugged = False

    @property
    def unplugged(self) -> bool:
        with self._lock:
            return self._unplugged

    def take_drop(self) -> bool:
        with self._lock:
            if self._drop:
                self._drop -= 1
                return True
            return False

    def take_corrupt(self) -> bool:
        with self._lock:
            if self._corrupt:
                self._corrupt -= 1
                return True
            return False

    def take_removal(self, uid: bytes) -> int | None:
        """How many blocks get written before ``uid`` leaves, or None when it stays."""
        with self._lock:
            for key in (uid, None):
                if key in self._removals:
                    return self._removals.pop(key)
            return None
