"""Runs core use cases on one worker thread that owns the kiosk database (the one writer).

The UI thread never touches SQLite or waits on a device: it submits a job and gets the result
back as a queued signal, so a slow disk or a locked database cannot freeze the screen.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from kiosk.store.store import StoreError
from ui.qt import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)


class Closeable(Protocol):
    def close(self) -> None: ...


#: What a worker opens on its own thread and hands to each job: the Core (database work), or
#: None for the device worker (printing and other slow device I/O need nothing opened).
R = TypeVar("R", bound=Closeable | None)
Job = Callable[[R], Any]


def is_storage_failure(exc: BaseException) -> bool:
    """The kiosk's own database failed (full, read-only, corrupt, locked too long): not this
    item's problem but the machine's, which puts the kiosk out of service until it clears."""
    return isinstance(exc, (StoreError, sqlite3.DatabaseError))


class CoreWorker(QObject, Generic[R]):
    finished = Signal(int, object, str, bool)  # token, result, error ("" when none), storage

    def __init__(self, factory: Callable[[], R]) -> None:
        super().__init__()
        self._factory = factory
        self._core: R | None = None

    @Slot(int, object)
    def run(self, token: int, job: Job[R]) -> None:
        try:
            core = self._core
            if core is None:
                core = self._core = self._factory()  # opened on this thread, used only here
            result = job(core)
        except Exception as exc:  # reported to the screen as a kind error, never a crash
            log.exception("core job failed")
            self.finished.emit(token, None, f"{type(exc).__name__}: {exc}", is_storage_failure(exc))
            return
        self.finished.emit(token, result, "", False)

    @Slot()
    def close(self) -> None:
        if self._core is not None:
            self._core.close()
            self._core = None


class CoreClient(QObject, Generic[R]):
    """The UI's handle on the worker: ``call(job, on_done)`` returns at once."""

    _submit = Signal(int, object)
    _close = Signal()
    failed = Signal(str)
    #: a job failed because the kiosk database could not be used (see is_storage_failure)
    storage_failed = Signal(str)

    def __init__(self, factory: Callable[[], R]) -> None:
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName("core-worker")
        self._worker = CoreWorker(factory)
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._close.connect(self._worker.close)
        self._worker.finished.connect(self._finished)
        self._tokens = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[str], None] | None]] = {}
        self._thread.start()

    def call(
        self,
        job: Job[R],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
    ) -> int:
        token = next(self._tokens)
        self._callbacks[token] = (on_done, on_error)
        self._submit.emit(token, job)
        return token

    def pending(self) -> int:
        return len(self._callbacks)

    @Slot(int, object, str, bool)
    def _finished(self, token: int, result: Any, error: str, storage: bool) -> None:
        on_done, on_error = self._callbacks.pop(token, (None, None))
        if error:
            (on_error or self.failed.emit)(error)
        elif on_done is not None:
            on_done(result)
        if storage:  # after the job's own handler: the screen says what was not done first
            self.storage_failed.emit(error)

    def stop(self) -> None:
        self._close.emit()
        self._thread.quit()
        self._thread.wait(5000)
