"""Run a reader emulator by hand: ``python -m drivers.rfid.emulators feig --tcp --tags 3``.

It prints the URI to put in the kiosk config (``feig:///tmp/.../ttyRFID``,
``feig+socket://127.0.0.1:PORT``, or ``llrp://127.0.0.1:PORT`` for the UHF reader, whose
tags are ISO/TS 28560-4 items with PIIs 100001, 100002...) and serves until interrupted,
so the kiosk, ``shufang diag`` or a technician's own tools can be tried against real
protocol bytes without a reader.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from collections.abc import Callable, Sequence

from drivers.rfid.emulators.feig import FeigEmulator
from drivers.rfid.emulators.m810 import M810Emulator
from drivers.rfid.emulators.server import EmulatorServer
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m drivers.rfid.emulators", description=__doc__)
    parser.add_argument(
        "protocol", choices=["feig", "3m810", "llrp"], help="which reader to emulate"
    )
    parser.add_argument("--tcp", action="store_true", help="serve on 127.0.0.1 instead of a pty")
    parser.add_argument("--tags", type=int, default=1, help="blank SLIX tags on the pad")
    parser.add_argument("--paced", action="store_true", help="take as long as a real reader")
    return parser.parse_args(argv)


def kiosk_uri(protocol: str, url: str) -> str:
    return f"{protocol}+{url}" if url.startswith("socket://") else f"{protocol}://{url}"


def serve(
    argv: Sequence[str] | None = None,
    stop: threading.Event | None = None,
    announce: Callable[[str], None] = print,
) -> str:
    """Serve until ``stop`` is set (or forever); ``announce`` gets the kiosk URI first."""
    args = parse_args(argv)
    if args.protocol == "llrp":
        return _serve_llrp(args.tags, stop, announce)
    field = TagField([SimulatedTag(nxp_uid(n), afi=0x07) for n in range(1, args.tags + 1)])
    emulator = FeigEmulator(field) if args.protocol == "feig" else M810Emulator(field)
    kind = "tcp" if args.tcp else "pty"
    with EmulatorServer(emulator, kind=kind, paced=args.paced) as server:  # type: ignore[arg-type]
        uri = kiosk_uri(args.protocol, server.url)
        announce(uri)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a technician stops it
            (stop or threading.Event()).wait()
    return uri


def _serve_llrp(tags: int, stop: threading.Event | None, announce: Callable[[str], None]) -> str:
    from drivers.rfid.emulators.llrp import LlrpEmulator, LlrpEmulatorServer
    from drivers.rfid.emulators.uhf_tags import library_tag

    field = TagField(
        [library_tag(afi=0x07, pii=f"{100000 + n}", isil="CN-110000-1") for n in range(1, tags + 1)]
    )
    server = LlrpEmulatorServer(LlrpEmulator(field))
    server.start()
    try:
        uri = server.uri
        announce(uri)
        with contextlib.suppress(KeyboardInterrupt):
            (stop or threading.Event()).wait()
    finally:
        server.stop()
    return uri


if __name__ == "__main__":
    serve()
