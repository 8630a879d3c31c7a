"""RFID pad readers (FEIG ISO Host, 3M 810, simulator) behind kiosk.ports.TagReader."""

from __future__ import annotations

from drivers.rfid.factory import open_reader, reader_for_uri

__all__ = ["open_reader", "reader_for_uri"]
