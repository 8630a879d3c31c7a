"""Byte-exact reader emulators served over a pty or a local TCP socket, for tests and the demo."""

from __future__ import annotations

from drivers.rfid.emulators.feig import FeigEmulator
from drivers.rfid.emulators.m810 import M810Emulator
from drivers.rfid.emulators.server import Answer, EmulatorServer, ReaderEmulator

__all__ = ["Answer", "EmulatorServer", "FeigEmulator", "M810Emulator", "ReaderEmulator"]
