"""Reading ESC/POS real-time status (DLE EOT) without trusting silence.

python-escpos's ``paper_status()`` reports plenty of paper when no byte comes back at all, so
an unplugged printer looks fine. Here every status byte must arrive and must carry the fixed
bits the ESC/POS status format defines; silence means offline, garbage means a frame error.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.ports import CoverOpen, FrameError, PaperOut, PrinterError, PrinterStatus

DLE_EOT = b"\x10\x04"
PRINTER_STATUS = 1  # n=1: bit 3 offline
OFFLINE_CAUSE = 2  # n=2: bit 2 cover open, bit 5 stopped by paper end, bit 6 error
ERROR_CAUSE = 3  # n=3: bit 3 autocutter, bit 5 unrecoverable, bit 6 auto-recoverable
PAPER_SENSOR = 4  # n=4: bits 2-3 paper near end, bits 5-6 paper end

# In every DLE EOT reply bits 1 and 4 are 1 and bits 0 and 7 are 0.
_FIXED_MASK = 0x93
_FIXED_VALUE = 0x12


def status_query(n: int) -> bytes:
    return DLE_EOT + bytes([n])


def check_status_byte(n: int, reply: int) -> int:
    if reply & _FIXED_MASK != _FIXED_VALUE:
        raise FrameError(f"DLE EOT {n} reply 0x{reply:02X} lacks the fixed status bits")
    return reply


def read_status(ask: Callable[[int], int | None]) -> PrinterStatus:
    """Ask the printer (``ask(n)`` sends DLE EOT n and returns the reply byte or None).

    The cover comes before paper: with the cover open the paper sensor reads empty anyway,
    and closing the cover is what the technician must do first.
    """
    printer = ask(PRINTER_STATUS)
    if printer is None:
        return PrinterStatus.OFFLINE
    check_status_byte(PRINTER_STATUS, printer)
    cause = ask(OFFLINE_CAUSE)
    if cause is None:
        return PrinterStatus.OFFLINE
    check_status_byte(OFFLINE_CAUSE, cause)
    if cause & 0x04:
        return PrinterStatus.COVER_OPEN
    paper = ask(PAPER_SENSOR)
    if paper is None:
        return PrinterStatus.OFFLINE
    check_status_byte(PAPER_SENSOR, paper)
    if paper & 0x60 or cause & 0x20:
        return PrinterStatus.PAPER_OUT
    if printer & 0x08 or cause & 0x40:
        return PrinterStatus.OFFLINE  # offline for a reason not listed above (an error)
    if paper & 0x0C:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.READY


class PrinterOffline(PrinterError):
    """The printer did not answer its status query: unplugged, off, or in an error state."""

    code = "printer_offline"


def raise_for(status: PrinterStatus) -> None:
    """Refuse to print into a printer that cannot print; the reader must be told at once."""
    if status is PrinterStatus.PAPER_OUT:
        raise PaperOut("printer is out of paper")
    if status is PrinterStatus.COVER_OPEN:
        raise CoverOpen("printer cover is open")
    if status is PrinterStatus.OFFLINE:
        raise PrinterOffline("printer does not answer its status query")
