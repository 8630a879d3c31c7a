"""Serve a reader emulator on a pty (with a stable symlink) or a TCP socket on 127.0.0.1.

The server owns the byte stream: it cuts requests into frames, asks the emulator for the
answer, and applies the link-level faults (silence, a broken CRC, the reader unplugged) and,
when ``paced``, the time a real reader would take: serial time at its baud rate plus the
ISO 15693 air time the emulator reports, both from the one model in ``drivers.rfid.air``.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import tempfile
import threading
import time
import tty
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, Self

from drivers.rfid import air
from drivers.rfid.injected_faults import ReaderFaults

TICK = 0.02  # how often the I/O thread looks at the unplug switch and the stop flag


@dataclass(frozen=True, slots=True)
class Answer:
    """An emulator's reply bytes and the air time the tags took to produce it."""

    reply: bytes
    air_seconds: float = 0.0


class ReaderEmulator(Protocol):
    """One reader protocol: how to cut frames, how to answer them, how to break a CRC."""

    baudrate: int
    bits_per_char: int  # start + data + parity + stop bits
    faults: ReaderFaults

    def frame_size(self, buffer: bytes) -> int | None:
        """Size of the frame starting ``buffer``; None until enough bytes tell; ValueError
        when the first byte cannot start a frame (the server then drops it to resync)."""
        ...

    def answer(self, frame: bytes) -> Answer | None: ...

    def corrupt(self, reply: bytes) -> bytes: ...


class _Channel(Protocol):
    def fileno(self) -> int: ...
    def recv(self) -> bytes: ...
    def send(self, data: bytes) -> None: ...
    def close(self) -> None: ...


class _PtyChannel:
    """The master side of a pty; the slave end stays open so a driver can come and go."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        tty.setraw(self.master)
        self.slave_name = os.ttyname(self.slave)

    def fileno(self) -> int:
        return self.master

    def recv(self) -> bytes:
        try:
            return os.read(self.master, 4096)
        except OSError:
            return b""

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


class _SocketChannel:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def fileno(self) -> int:
        return self.sock.fileno()

    def recv(self) -> bytes:
        try:
            return self.sock.recv(4096)
        except OSError:
            return b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class EmulatorServer:
    """Runs one emulator on one I/O thread until ``stop``; also a context manager.

    ``url`` is what a driver passes to ``serial_for_url``: a symlink to the current pty
    (re-pointed on replug, like a udev name) or ``socket://127.0.0.1:PORT``. Linux ptys
    cannot keep even parity: the first 8E1 open works, a second open of the same pty is
    refused (EINVAL), so reopen with parity N or use ``kind="tcp"``.
    Unplugging is driven by ``emulator.faults.unplug()`` / ``replug()``.
    """

    def __init__(
        self,
        emulator: ReaderEmulator,
        *,
        kind: Literal["pty", "tcp"] = "pty",
        paced: bool = False,
    ) -> None:
        self.emulator = emulator
        self.kind = kind
        self.paced = paced
        self.frames_answered = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._link: Path | None = None
        self._listener: socket.socket | None = None
        self._channel: _Channel | None = None
        self._plugged = False

    @property
    def faults(self) -> ReaderFaults:
        return self.emulator.faults

    @property
    def url(self) -> str:
        if self.kind == "tcp":
            assert self._listener is not None, "start the server first"
            return f"socket://127.0.0.1:{self._listener.getsockname()[1]}"
        assert self._link is not None, "start the server first"
        return str(self._link)

    @property
    def plugged(self) -> bool:
        """Whether the I/O thread has acted on the latest plug/unplug (tests wait on this)."""
        return self._plugged

    def start(self) -> Self:
        if self.kind == "tcp":
            self._listener = socket.create_server(("127.0.0.1", 0))
            self._listener.setblocking(False)
        else:
            self._tmp = tempfile.TemporaryDirectory(prefix="shufang-rfid-")
            self._link = Path(self._tmp.name) / "ttyRFID"
            if not self.faults.unplugged:
                self._plug_pty()
        self._plugged = not self.faults.unplugged
        self._thread = threading.Thread(target=self._run, name="rfid-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._drop_channel()
        if self._listener is not None:
            self._listener.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the I/O thread ---------------------------------------------------------------------

    def _run(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            if self.faults.unplugged and self._plugged:
                # flag first: whoever sees the port die must already see "unplugged"
                self._plugged = False
                self._drop_channel()
                buffer = b""
            elif not self.faults.unplugged and not self._plugged:
                if self.kind == "pty":
                    self._plug_pty()
                self._plugged = True
            readable = self._wait_readable()
            if self._listener is not None and self._listener in readable:
                self._accept(self._plugged)
            channel = self._channel
            if channel is None or channel.fileno() not in readable:
                continue
            data = channel.recv()
            if not data:
                if self.kind == "tcp":  # the driver hung up; wait for the next one
                    self._drop_channel()
                    buffer = b""
                continue
            buffer = self._serve(channel, buffer + data)

    def _wait_readable(self) -> set[object]:
        watched: list[object] = []
        if self._listener is not None:
            watched.append(self._listener)
        if self._channel is not None:
            watched.append(self._channel.fileno())
        if not watched:
            time.sleep(TICK)
            return set()
        try:
            readable, _, _ = select.select(watched, [], [], TICK)
        except (OSError, ValueError):
            return set()
        return set(readable)

    def _accept(self, plugged: bool) -> None:
        assert self._listener is not None
        try:
            sock, _ = self._listener.accept()
        except BlockingIOError:
            return
        if not plugged:
            sock.close()  # an unplugged reader accepts nothing
            return
        sock.setblocking(True)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._drop_channel()  # one client at a time, like a serial port
        self._channel = _SocketChannel(sock)

    def _serve(self, channel: _Channel, buffer: bytes) -> bytes:
        """Answer every whole frame in ``buffer``; return what is left over."""
        while buffer:
            try:
                size = self.emulator.frame_size(buffer)
            except ValueError:
                buffer = buffer[1:]  # not a frame start: resynchronise
                continue
            if size is None or len(buffer) < size:
                return buffer
            frame, buffer = buffer[:size], buffer[size:]
            if self.faults.unplugged:
                return b""  # the loop notices within a tick and drops the connection
            # the command runs before a dropped reply is dropped: a real reader whose answer
            # is lost has still written the tag, and drivers must live with that
            answer = self.emulator.answer(frame)
            if answer is None or self.faults.take_drop():
                continue
            reply = answer.reply
            if self.faults.take_corrupt():
                reply = self.emulator.corrupt(reply)
            if self.paced:
                time.sleep(self._serial_seconds(len(frame) + len(reply)) + answer.air_seconds)
            try:
                channel.send(reply)
            except OSError:
                return b""
            self.frames_answered += 1
        return buffer

    def _serial_seconds(self, count: int) -> float:
        return air.serial_seconds(count, self.emulator.baudrate, self.emulator.bits_per_char)

    def _plug_pty(self) -> None:
        assert self._link is not None
        channel = _PtyChannel()
        self._link.unlink(missing_ok=True)
        self._link.symlink_to(channel.slave_name)
        self._channel = channel

    def _drop_channel(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()
        if self._link is not None:
            self._link.unlink(missing_ok=True)
