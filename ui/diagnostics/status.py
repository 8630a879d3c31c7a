"""Live status: every device, the network, the upstream, the sync queue, service and faults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.diag.checks import Check, store_checks
from ui.diagnostics.parts import TONE_OF_STATE, TONE_OF_STATUS, Page, StatusRow
from ui.qt import QtCore

DEVICES = ("rfid", "scanner", "card", "printer")
CHECKS = ("network", "sync.outbox", "service", "faults", "rotation.box", "database.integrity")


def device_text(t: Callable[..., str], state: str | None, codes: list[str]) -> tuple[str, str]:
    """Connection state and the device's open fault codes: (text, tone)."""
    if state is None:
        return t("diag.state.none"), ""
    text = t(f"diag.state.{state}")
    tone = TONE_OF_STATE.get(state, "")
    if codes:
        text += " · " + ", ".join(codes)
        tone = "error" if tone == "error" else "warning"
    return text, tone


def open_fault_codes(checks: dict[str, Check]) -> dict[str, list[str]]:
    """Device -> codes of its open faults, from the faults check's ``device/code`` list."""
    found: dict[str, list[str]] = {}
    faults = checks.get("faults")
    for name in faults.value.split(", ") if faults and faults.value else []:
        device, _, code = name.partition("/")
        found.setdefault(device, []).append(code)
    return found


class StatusPage(Page):
    def __init__(self, mode: Any) -> None:
        super().__init__(mode)
        self.rows: dict[str, StatusRow] = {}
        for name in (*DEVICES, "upstream", *CHECKS):
            self.rows[name] = StatusRow()
            self.column.addWidget(self.rows[name])
        self.column.addStretch(1)
        self.checks: dict[str, Check] = {}
        self._timer = QtCore.QTimer(self, interval=2000)
        self._timer.timeout.connect(lambda: self.refresh())

    def entered(self) -> None:
        self.refresh(integrity=True)
        self._timer.start()

    def left(self) -> None:
        self._timer.stop()
        self.checks = {}

    def refresh(self, integrity: bool = False) -> None:
        self.show_devices()
        self.mode.run_core(
            lambda core: store_checks(core.store, integrity=integrity), self._checked
        )

    def show_devices(self) -> None:
        states = self.mode.ctx.health()
        codes = open_fault_codes(self.checks)
        for name in DEVICES:
            self.rows[name].show_value(*device_text(self.t, states.get(name), codes.get(name, [])))

    def _checked(self, checks: list[Check]) -> None:
        self.checks.update({c.name: c for c in checks})
        self.retranslate()

    def value_text(self, check: Check) -> str:
        t, ok = self.t, check.status.value == "ok"
        if check.name == "network":
            return t("diag.status.online") if ok else t("diag.status.offline", since=check.value)
        if check.name == "sync.outbox":
            return t("diag.status.outbox", count=check.value)
        if check.name == "service":
            return t("diag.status.in_service" if ok else "diag.status.out_of_service")
        if check.name == "faults":
            return t("diag.status.no_faults") if ok else check.value
        if check.name == "rotation.box":
            if not check.value:
                return t("diag.status.rotation_box_empty")
            return t("diag.status.rotation_box", rooms=check.value)
        if check.name == "database.integrity" and ok:
            return t("diag.status.integrity_ok")
        return check.detail

    def retranslate(self) -> None:
        t = self.t
        for name in DEVICES:
            self.rows[name].name.setText(t(f"diag.device.{name}"))
        self.rows["upstream"].name.setText(t("diag.status.upstream"))
        for name in CHECKS:
            self.rows[name].name.setText(t(f"diag.check.{name.replace('.', '_')}"))
        self.show_devices()
        network = self.checks.get("network")
        if network is None:
            return
        online = network.status.value == "ok"
        self.rows["upstream"].show_value(
            t("diag.status.upstream_value", url=self.mode.ctx.upstream or "—")
            + " · "
            + t("header.online" if online else "header.offline"),
            "ok" if online else "warning",
        )
        for name in CHECKS:
            check = self.checks.get(name)
            if check is not None:
                self.rows[name].show_value(
                    self.value_text(check), TONE_OF_STATUS[check.status.value]
                )
