"""The state a driver keeps of its own device, and the connecting step the scanner, card
reader and printer drivers share: CONNECTING while the device is opened, DISCONNECTED again
(and ``DeviceGone``, saying what could not be opened) when it cannot be."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.ports import DeviceGone, DeviceState


class StatefulDevice:
    """A driver whose ``state`` is its own ``_state`` (not a reader link's)."""

    _state: DeviceState

    @property
    def state(self) -> DeviceState:
        return self._state

    @contextmanager
    def _connecting(
        self,
        gone: str | None = None,
        errors: type[Exception] | tuple[type[Exception], ...] = OSError,
    ) -> Iterator[None]:
        """CONNECTING for the block; when it raises one of ``errors``, DISCONNECTED again and
        ``DeviceGone("<gone>: <error>")``, or the error itself when ``gone`` is None."""
        self._state = DeviceState.CONNECTING
        try:
            yield
        except errors as error:
            self._state = DeviceState.DISCONNECTED
            if gone is None:
                raise
            raise DeviceGone(f"{gone}: {error}") from error
