"""The pad watcher: polls a TagReader, debounces tags arriving and leaving, decodes arrivals.

It runs on its own thread, owns reconnecting (with back-off) when the reader disappears, and
reports every failure to a FaultSink, so the UI only ever sees "arrived"/"left" events. The
tag data codecs live in the core; they are injected as ``decode`` so this module stays a
driver that never interprets tag contents itself.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from drivers.rfid.tag_memory import TagMemory
from kiosk.backoff import Backoff
from kiosk.models import Severity
from kiosk.ports import (
    DeviceError,
    DeviceGone,
    DeviceState,
    FaultSink,
    NoTag,
    TagInfo,
    TagProblem,
    TagReader,
    TagRemoved,
)

log = logging.getLogger(__name__)

Decode = Callable[[bytes, TagInfo], object]


@dataclass(frozen=True, slots=True)
class PadEvent:
    """A tag arrived on the pad (with its decoded content) or left it."""

    kind: Literal["arrived", "left"]
    tag: TagInfo
    item: object | None = None  # what ``decode`` returned for an arrival
    data: bytes = b""  # the user memory that was read
    error: str = ""  # why reading or decoding failed, when it did
    # An arrival's place in its stack (the tags new in one inventory, read one after the
    # other): stack number, 1-based position, number of new tags; 0 when not from a stack.
    stack: int = 0
    position: int = 0
    stack_size: int = 0
    problem: TagProblem | None = None  # with ``error``: which kind of failure, for the reader

    @property
    def uid(self) -> bytes:
        return self.tag.uid


@dataclass(slots=True)
class _Seen:
    tag: TagInfo
    missing: int = 0


class PadWatcher:
    """Polls ``reader`` ``polls_per_second`` times a second on a background thread.

    A tag counts as "left" only after ``missing_polls`` polls in a row without it, because
    tags at the edge of the field flicker in and out of inventories. A poll that fails
    counts as a miss for every tag: after a reader has been gone that long, nobody can vouch
    for what lies on the pad.
    """

    def __init__(
        self,
        reader: TagReader,
        decode: Decode,
        *,
        on_event: Callable[[PadEvent], None] | None = None,
        on_stack: Callable[[list[PadEvent]], None] | None = None,
        events: queue.Queue[PadEvent] | None = None,
        faults: FaultSink | None = None,
        device: str = "rfid",
        polls_per_second: float = 5.0,
        missing_polls: int = 3,
        read_attempts: int = 3,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        if polls_per_second <= 0 or missing_polls < 1:
            raise ValueError("poll at a positive rate and debounce over at least one poll")
        self.reader = reader
        self.decode = decode
        self.on_event = on_event
        self.on_stack = on_stack  # all arrivals of one poll together: a stack placed at once
        self.events = events
        self.faults = faults
        self.device = device
        self.period = 1.0 / polls_per_second
        self.missing_polls = missing_polls
        self.memory = TagMemory(reader)  # reads only what each tag's data needs
        self.read_attempts = read_attempts
        #: Reopening an unplugged reader: ``backoff_initial`` s, doubled up to ``backoff_max``.
        self.backoff = Backoff(backoff_initial, backoff_max)
        self._present: dict[bytes, _Seen] = {}
        self._read_failures: dict[bytes, int] = {}
        self._open_faults: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.polls = 0
        self.stacks = 0

    # --- control ----------------------------------------------------------------------------

    def start(self) -> PadWatcher:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="rfid-pad", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling; the reader stays as it is, for its owner to close."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def present(self) -> list[TagInfo]:
        """The tags currently on the pad (arrived and not yet left)."""
        with self._lock:
            return [seen.tag for seen in self._present.values()]

    # --- the polling thread -----------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            if self.reader.state is not DeviceState.READY and not self._connect():
                self._count_blind_poll()
                self._stop.wait(self.backoff.next_delay())
                continue
            self.poll_once()
            self._stop.wait(max(0.0, self.period - (time.monotonic() - started)))

    def poll_once(self) -> None:
        """One inventory and its consequences; the thread calls this, tests may too."""
        self.polls += 1
        try:
            tags = self.reader.inventory()
        except DeviceError as exc:
            severity = Severity.ERROR if isinstance(exc, DeviceGone) else Severity.WARNING
            self._record(exc, severity, f"inventory failed: {exc}")
            if isinstance(exc, DeviceGone):
                self.reader.close()
            self._count_blind_poll()
            return
        self._clear_faults()
        seen_now = {tag.uid: tag for tag in tags}
        new: list[TagInfo] = []
        for uid, tag in seen_now.items():
            with self._lock:
                known = self._present.get(uid)
                if known is not None:
                    known.missing = 0
                    known.tag = tag
                    continue
            new.append(tag)
        if new:
            self.stacks += 1
        arrivals: list[PadEvent] = []
        for position, tag in enumerate(new, 1):
            # each arrival is reported as soon as its tag is read, so the first item shows
            # while the rest of the stack is still being read
            event = self._arrive(tag, (self.stacks, position, len(new)))
            if event is not None:
                arrivals.append(event)
        if arrivals and self.on_stack is not None:
            try:
                self.on_stack(arrivals)
            except Exception:
                log.exception("pad stack handler failed")
        with self._lock:
            gone = [uid for uid in self._present if uid not in seen_now]
        self._count_misses(gone)
        for uid in [uid for uid in self._read_failures if uid not in seen_now]:
            del self._read_failures[uid]

    def _arrive(self, tag: TagInfo, place: tuple[int, int, int]) -> PadEvent | None:
        error, problem = "", None
        try:
            data, tag = self.memory.read(tag)
        except (NoTag, TagRemoved):
            return None  # it left before we could read it; the next poll tries again
        except DeviceError as exc:
            failures = self._read_failures.get(tag.uid, 0) + 1
            self._read_failures[tag.uid] = failures
            self._record(exc, Severity.WARNING, f"reading tag {tag.uid.hex()} failed: {exc}")
            if failures < self.read_attempts:
                return None
            data, error = b"", f"could not read the tag: {exc}"
            problem = TagProblem.NOT_READ
        self._read_failures.pop(tag.uid, None)
        item = None
        if not error:
            try:
                item = self.decode(data, tag)
            except Exception as exc:  # a bad tag must not stop the pad
                error = f"could not decode the tag: {type(exc).__name__}: {exc}"
                problem = TagProblem.UNDECODABLE
        with self._lock:
            self._present[tag.uid] = _Seen(tag)
        stack, position, size = place
        event = PadEvent("arrived", tag, item, data, error, stack, position, size, problem)
        self._emit(event)
        return event

    def _count_blind_poll(self) -> None:
        with self._lock:
            uids = list(self._present)
        self._count_misses(uids)

    def _count_misses(self, uids: list[bytes]) -> None:
        left = []
        with self._lock:
            for uid in uids:
                seen = self._present[uid]
                seen.missing += 1
                if seen.missing >= self.missing_polls:
                    left.append(self._present.pop(uid).tag)
        for tag in left:
            self._emit(PadEvent("left", tag))

    def _connect(self) -> bool:
        try:
            self.reader.open()
        except DeviceError as exc:
            self._record(exc, Severity.ERROR, f"reader did not open: {exc}")
            return False
        self.backoff.reset()
        return True

    # --- reporting --------------------------------------------------------------------------

    def _emit(self, event: PadEvent) -> None:
        if self.events is not None:
            self.events.put(event)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:
                log.exception("pad event handler failed for %s", event.kind)

    def _record(self, exc: DeviceError, severity: Severity, message: str) -> None:
        # the first failure of a kind is worth a warning; its repeats would flood the journal
        level = logging.DEBUG if exc.code in self._open_faults else logging.WARNING
        log.log(level, "%s: %s", self.device, message)
        self._open_faults.add(exc.code)
        if self.faults is not None:
            self.faults.record_fault(self.device, exc.code, severity, message)

    def _clear_faults(self) -> None:
        if self.faults is not None:
            for code in sorted(self._open_faults):
                self.faults.clear_fault(self.device, code)
        self._open_faults.clear()
