"""The fault log with filters: by device, by severity, open only."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from kiosk.models import Fault
from ui.diagnostics.parts import Page, Section, mono
from ui.qt import QtWidgets

SEVERITIES = ("", "info", "warning", "error", "critical")
SHOWN = 200


def fault_line(fault: Fault, tz: tzinfo, severity: str) -> str:
    """Time, [severity], device/code, count and ✓ once cleared; the message below."""
    when = fault.last_at.astimezone(tz).strftime("%m-%d %H:%M:%S")
    event = fault.severity == "info"  # diagnostics records are closed at once: no ✓ for them
    cleared = " ✓" if fault.cleared_at is not None and not event else ""
    count = f" ×{fault.count}" if fault.count > 1 else ""
    head = f"{when}  [{severity}] {fault.device}/{fault.code}{count}{cleared}"
    return f"{head}\n    {fault.message}"


class FaultsPage(Page):
    def __init__(self, mode: Any) -> None:
        super().__init__(mode)
        self.filters = Section()
        self.device = QtWidgets.QComboBox()
        self.severity = QtWidgets.QComboBox()
        self.open_only = QtWidgets.QCheckBox()
        for widget in (self.device, self.severity, self.open_only):
            widget.setMinimumHeight(64)
            self.filters.buttons.addWidget(widget)
        self.refresh_button = self.filters.add_button("primary")
        self.refresh_button.clicked.connect(self.refresh)
        self.filters.finish_buttons()
        self.device.currentIndexChanged.connect(lambda _: self.show_faults())
        self.severity.currentIndexChanged.connect(lambda _: self.show_faults())
        self.open_only.toggled.connect(lambda _: self.show_faults())
        self.column.addWidget(self.filters)
        self.listing = mono()
        self.column.addWidget(self.listing)
        self.column.addStretch(1)
        self.faults: list[Fault] = []

    def entered(self) -> None:
        self.retranslate()
        self.refresh()

    def left(self) -> None:
        self.faults = []
        self.listing.clear()

    def refresh(self) -> None:
        self.mode.run_core(lambda core: core.store.faults.recent(limit=1000), self._loaded)

    def _loaded(self, faults: list[Fault]) -> None:
        self.faults = faults
        chosen = self.device.currentData()
        self.device.blockSignals(True)
        self.device.clear()
        self.device.addItem(self.t("diag.faults.all_devices"), "")
        for name in sorted({f.device for f in faults}):
            self.device.addItem(name, name)
        self.device.setCurrentIndex(max(0, self.device.findData(chosen or "")))
        self.device.blockSignals(False)
        self.show_faults()

    def filtered(self) -> list[Fault]:
        device, severity = self.device.currentData() or "", self.severity.currentData() or ""
        return [
            f
            for f in self.faults
            if (not device or f.device == device)
            and (not severity or f.severity == severity)
            and (not self.open_only.isChecked() or f.cleared_at is None)
        ]

    def show_faults(self) -> None:
        shown = self.filtered()
        tz = self.mode.controller.tz
        self.filters.result.show_text(
            self.t("diag.faults.count", shown=len(shown), total=len(self.faults))
        )
        t = self.t
        self.listing.setText(
            "\n".join(fault_line(f, tz, t(f"diag.severity.{f.severity}")) for f in shown[:SHOWN])
        )

    def retranslate(self) -> None:
        t = self.t
        self.filters.title.setText(t("diag.faults.title"))
        self.open_only.setText(t("diag.faults.open_only"))
        self.refresh_button.setText(t("diag.refresh"))
        chosen = self.severity.currentData()
        self.severity.blockSignals(True)
        self.severity.clear()
        for severity in SEVERITIES:
            self.severity.addItem(
                t(f"diag.severity.{severity}") if severity else t("diag.faults.all_severities"),
                severity,
            )
        self.severity.setCurrentIndex(max(0, self.severity.findData(chosen or "")))
        self.severity.blockSignals(False)
        if self.device.count() == 0:
            self.device.addItem(t("diag.faults.all_devices"), "")
        else:
            self.device.setItemText(0, t("diag.faults.all_devices"))
