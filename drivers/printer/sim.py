"""The simulated receipt printer: each receipt becomes a PNG and its ESC/POS bytes in a folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drivers.printer.receipts import PrintJob, ReceiptRenderer
from drivers.printer.status import raise_for
from drivers.simulated import PluggedSim
from kiosk.ports import PrinterStatus, Receipt


@dataclass(frozen=True, slots=True)
class PrintedReceipt:
    receipt: Receipt
    job: PrintJob
    png: Path | None
    escpos: Path | None


class SimPrinter(PluggedSim):
    """Prints into ``folder`` (or only into memory); paper-out and the rest on demand."""

    kind = "printer"

    def __init__(
        self,
        folder: Path | str | None = None,
        *,
        name: str = "printer",
        renderer: ReceiptRenderer | None = None,
    ) -> None:
        super().__init__(name)
        self.folder = Path(folder) if folder else None
        self.renderer = renderer or ReceiptRenderer()
        self.printed: list[PrintedReceipt] = []
        self._status = PrinterStatus.READY

    # --- what the simulation's operator does ------------------------------------------------

    def set_status(self, status: PrinterStatus) -> None:
        """Paper out, cover open, offline (no answer) … until set back to READY."""
        with self._lock:
            self._status = status

    # --- the port --------------------------------------------------------------------------

    def _opening(self) -> None:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def status(self) -> PrinterStatus:
        with self._lock:
            self._check()
            return self._status

    def print_receipt(self, receipt: Receipt) -> None:
        with self._lock:
            self._check()
            raise_for(self._status)
            number = len(self.printed) + 1
        job = self.renderer.job(receipt)
        png = escpos = None
        if self.folder is not None:
            stem = f"{number:04d}-{receipt.kind}-{receipt.at:%Y%m%dT%H%M%S}"
            png = self.folder / f"{stem}.png"
            escpos = self.folder / f"{stem}.escpos"
            job.image.save(png)
            escpos.write_bytes(job.escpos)
        with self._lock:
            self.printed.append(PrintedReceipt(receipt, job, png, escpos))
