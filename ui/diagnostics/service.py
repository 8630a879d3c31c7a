"""Service actions: out of service on and off, restart the app, export a diagnostics bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.core import Core
from kiosk.diag.bundle import bundle_files, bundle_stem, export_bundle
from kiosk.diag.checks import store_checks
from ui.diagnostics.parts import Page, Section
from ui.qt import QtCore

CONFIRM_MS = 5000
EXPORT_KINDS = {"folder": "", "zip": ".zip", "tar": ".tar.gz"}


class ServicePage(Page):
    def __init__(self, mode: Any) -> None:
        super().__init__(mode)
        self.service = Section()
        self.service_button = self.service.add_button("accent")
        self.service_button.clicked.connect(self.toggle_service)
        self.service.finish_buttons()
        self.restart = Section()
        self.restart_button = self.restart.add_button()
        self.restart_button.clicked.connect(self.ask_restart)
        self.restart.finish_buttons()
        self.export = Section()
        self.export_buttons = {}
        for kind in EXPORT_KINDS:
            self.export_buttons[kind] = self.export.add_button("primary" if kind == "zip" else "")
            self.export_buttons[kind].clicked.connect(lambda _=False, k=kind: self.export_to(k))
        self.export.finish_buttons()
        for section in (self.service, self.restart, self.export):
            self.column.addWidget(section)
        self.column.addStretch(1)
        self.out_of_service: bool | None = None
        self._confirm = QtCore.QTimer(self, singleShot=True)
        self._confirm.timeout.connect(self.retranslate)

    def entered(self) -> None:
        self.retranslate()
        self.mode.run_core(lambda core: core.out_of_service(), self._service_state)

    def left(self) -> None:
        self._confirm.stop()
        for section in (self.service, self.restart, self.export):
            section.result.show_text("")

    # --- out of service ----------------------------------------------------------------------

    def _service_state(self, out_of_service: bool) -> None:
        self.out_of_service = out_of_service
        self.retranslate()

    def toggle_service(self) -> None:
        target = not self.out_of_service

        def job(core: Core) -> bool:
            core.set_out_of_service(target)
            return core.out_of_service()

        self.mode.run_core(job, self._toggled)

    def _toggled(self, out_of_service: bool) -> None:
        self.out_of_service = out_of_service
        self.mode.audit(
            "out_of_service" if out_of_service else "in_service",
            "kiosk taken out of service" if out_of_service else "kiosk put back in service",
        )
        self.mode.controller.poll_status()  # the reader-facing screen follows at once
        key = "diag.service.now_out" if out_of_service else "diag.service.now_in"
        self.service.result.show_text(self.t(key), "ok")
        self.retranslate()

    # --- restart ---------------------------------------------------------------------------------

    def ask_restart(self) -> None:
        """Two taps within five seconds: a restart drops whatever the kiosk was doing."""
        if not self._confirm.isActive():
            self._confirm.start(CONFIRM_MS)
            self.restart_button.setText(self.t("diag.restart.confirm"))
            return
        self._confirm.stop()
        restart = self.mode.ctx.restart
        if restart is None:
            self.restart.result.show_text(self.t("diag.restart.unavailable"), "error")
            self.retranslate()
            return
        self.restart.result.show_text(self.t("diag.restart.now"), "ok")
        self.mode.recorded.connect(self._restart_when_recorded)
        self.mode.audit("restart", "app restart requested by the technician")

    def _restart_when_recorded(self, code: str) -> None:
        if code != "restart":
            return
        self.mode.recorded.disconnect(self._restart_when_recorded)
        self.mode.leave("restart")
        self.mode.ctx.restart()

    # --- diagnostics bundle ------------------------------------------------------------------

    def export_to(self, kind: str) -> None:
        ctx = self.mode.ctx
        folder = ctx.export_folder()
        logs = tuple(ctx.log_paths)
        self.export.result.show_text(self.t("diag.working"))

        def job(core: Core) -> Path:
            at = core.faults.clock.now()
            stem = bundle_stem(core.config["kiosk.id"], at)
            files = bundle_files(
                config=core.config,
                store=core.store,
                at=at,
                checks=store_checks(core.store),
                log_paths=logs,
            )
            suffix = EXPORT_KINDS[kind]
            return export_bundle(folder / f"{stem}{suffix}" if suffix else folder, files, stem)

        def failed(error: str) -> None:
            self.export.result.show_text(self.t("diag.failed", error=error), "error")

        self.mode.run_core(job, self._exported, failed)

    def _exported(self, path: Path) -> None:
        self.export.result.show_text(self.t("diag.export.saved", path=str(path)), "ok")
        self.mode.audit("bundle_exported", f"diagnostics bundle written to {path}")

    def retranslate(self) -> None:
        t = self.t
        self.service.title.setText(t("diag.service.title"))
        if self.out_of_service is None:
            self.service.state.setText("")
        else:
            out = self.out_of_service
            self.service.state.setText(t("diag.service.is_out" if out else "diag.service.is_in"))
        self.service_button.setText(
            t("diag.service.put_in" if self.out_of_service else "diag.service.take_out")
        )
        self.service_button.setProperty("kind", "primary" if self.out_of_service else "accent")
        self.service_button.style().unpolish(self.service_button)
        self.service_button.style().polish(self.service_button)
        self.restart.title.setText(t("diag.restart.title"))
        self.restart.state.setText("")
        if not self._confirm.isActive():
            self.restart_button.setText(t("diag.restart.button"))
        self.export.title.setText(t("diag.export.title"))
        self.export.state.setText(t("diag.export.where", path=str(self.mode.ctx.export_folder())))
        for kind, widget in self.export_buttons.items():
            widget.setText(t(f"diag.export.{kind}"))
