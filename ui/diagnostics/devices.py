"""Self-tests per device: reader inventory, last scans and card, printer, sound, touch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kiosk.diag import tagtools
from kiosk.diag.tagtools import TagReport
from kiosk.ports import PrinterStatus, ReaderInfo, Receipt, ReceiptLine
from ui.diagnostics.calibration import TouchCheck
from ui.diagnostics.parts import TONE_OF_STATE, Page, Section, mono
from ui.qt import QtWidgets
from ui.widgets import restyle


def tag_line(report: tagtools.TagReport) -> str:
    """One tag as a technician reads it: UID, AFI, DSFID, data model, PII, CRC, problems."""
    info, decoded = report.info, report.decoded
    afi = "--" if info.afi is None else f"0x{info.afi:02X}"
    head = f"UID {report.uid_hex}  AFI {afi}  DSFID 0x{info.dsfid:02X}"
    tool_notes = "".join(f"\n  ! {w}" for w in report.warnings)
    if decoded is None:
        return f"{head}\n  ✗ {report.problem}{tool_notes}"
    body = f"  {decoded.format}  PII {decoded.pii or '—'}  ISIL {decoded.isil or '—'}"
    if decoded.set:
        body += f"  {decoded.set[0]}/{decoded.set[1]}"
    body += f"  CRC {report.crc_text}"
    notes = "".join(f"\n  ! {w}" for w in decoded.warnings)
    return f"{head}\n{body}{notes}{tool_notes}"


def test_receipt(kiosk_id: str, branch: str, language: str) -> Receipt:
    line = ReceiptLine(title="打印测试 Print test 0123456789", pii="0000000000")
    return Receipt("test", kiosk_id, branch, datetime.now(UTC), language, (line,))


class DevicesPage(Page):
    def __init__(self, mode: Any) -> None:
        super().__init__(mode)
        self.rfid = Section()
        self.inventory_button = self.rfid.add_button("primary")
        self.inventory_button.clicked.connect(self.run_inventory)
        self.rfid.finish_buttons()
        self.tags_text = mono()
        self.rfid.box.addWidget(self.tags_text)
        self.scanner = Section()
        self.scans_text = mono()
        self.scanner.box.addWidget(self.scans_text)
        self.card = Section()
        self.card_text = mono()
        self.card.box.addWidget(self.card_text)
        self.printer = Section()
        self.paper_button = self.printer.add_button()
        self.print_button = self.printer.add_button("primary")
        self.paper_button.clicked.connect(self.check_paper)
        self.print_button.clicked.connect(self.print_test_page)
        self.printer.finish_buttons()
        self.sound = Section()
        self.sound_button = self.sound.add_button()
        self.sound_button.clicked.connect(self.play_sound)
        self.sound.finish_buttons()
        self.voice = Section()
        self.voice_text = mono()  # volume, silent hours, cached prompts: wraps, unlike the state
        self.voice.box.insertWidget(1, self.voice_text)
        self.voice_button = self.voice.add_button()
        self.voice_button.clicked.connect(self.say_test)
        self.voice.finish_buttons()
        self.touch = Section()
        self.touch_button = self.touch.add_button()
        self.touch_button.clicked.connect(self.check_touch)
        self.touch.finish_buttons()
        self.sections = {
            "rfid": self.rfid,
            "scanner": self.scanner,
            "card": self.card,
            "printer": self.printer,
            "sound": self.sound,
            "voice": self.voice,
            "touch": self.touch,
        }
        for section in self.sections.values():
            self.column.addWidget(section)
        self.column.addStretch(1)
        self.touch_check: TouchCheck | None = None

    def entered(self) -> None:
        self.retranslate()

    def left(self) -> None:
        for section in self.sections.values():
            section.result.show_text("")
        self.tags_text.clear()
        if self.touch_check is not None:
            self.touch_check.close()

    # --- RFID reader -------------------------------------------------------------------------

    def run_inventory(self) -> None:
        reader = self.mode.ctx.reader
        if reader is None:
            self.rfid.result.show_text(self.t("diag.none_installed"), "error")
            return
        self.rfid.result.show_text(self.t("diag.working"))

        def job(_: object) -> tuple[ReaderInfo, list[TagReport]]:
            return reader.reader_info(), tagtools.inventory(reader)

        self.mode.run_device(job, self._inventoried, lambda e: self._failed(self.rfid, "rfid", e))

    def _inventoried(self, result: tuple[ReaderInfo, list[TagReport]]) -> None:
        info, reports = result
        self.rfid.result.show_text(
            self.t("diag.rfid.found", count=len(reports), model=info.model), "ok"
        )
        self.tags_text.setText("\n".join(tag_line(r) for r in reports))
        self.mode.audit("selftest_rfid", f"reader inventory: {len(reports)} tag(s)")

    def _failed(self, section: Section, device: str, error: str) -> None:
        section.result.show_text(self.t("diag.failed", error=error), "error")
        self.mode.audit(f"selftest_{device}", f"{device} self-test failed: {error}")
        self.show_states()

    # --- scanner and card reader ---------------------------------------------------------------

    def refresh_inputs(self) -> None:
        t = self.t
        scans = list(self.mode.last_scans)
        self.scans_text.setText(
            "\n".join([t("diag.scanner.latest"), *scans]) if scans else t("diag.scanner.waiting")
        )
        card = self.mode.last_card
        self.card_text.setText(
            t("diag.card.last", card=card[0], kind=t(f"diag.card.kind.{card[1]}"))
            if card
            else t("diag.card.waiting")
        )

    # --- printer -------------------------------------------------------------------------------

    def check_paper(self) -> None:
        printer = self.mode.ctx.printer
        if printer is None:
            self.printer.result.show_text(self.t("diag.none_installed"), "error")
            return
        self.mode.run_device(
            lambda _: printer.status(),
            self._paper,
            lambda e: self._failed(self.printer, "printer", e),
        )

    def _paper(self, status: PrinterStatus) -> None:
        ok = status.value == "ready"
        self.printer.result.show_text(self.t(f"diag.paper.{status.value}"), "ok" if ok else "error")
        self.mode.audit("selftest_printer", f"printer status: {status.value}")
        self.show_states()

    def print_test_page(self) -> None:
        printer = self.mode.ctx.printer
        if printer is None:
            self.printer.result.show_text(self.t("diag.none_installed"), "error")
            return
        controller = self.mode.controller
        receipt = test_receipt(controller.kiosk_id, controller.branch_name, self.t.language)
        self.printer.result.show_text(self.t("diag.working"))
        self.mode.run_device(
            lambda _: printer.print_receipt(receipt),
            self._printed,
            lambda e: self._failed(self.printer, "printer", e),
        )

    def _printed(self, _: object) -> None:
        self.printer.result.show_text(self.t("diag.printer.printed"), "ok")
        self.mode.audit("selftest_printer", "printer test page printed")
        self.show_states()

    # --- sound and touch -------------------------------------------------------------------------

    def play_sound(self) -> None:
        sound = self.mode.ctx.sound
        if sound is None:
            QtWidgets.QApplication.beep()
            self.sound.result.show_text(self.t("diag.sound.unavailable"), "error")
            return
        sound()
        self.sound.result.show_text(self.t("diag.sound.played"), "ok")

    def say_test(self) -> None:
        """A test prompt in both languages, as readers would hear it (silent hours kept)."""
        voice = self.mode.ctx.voice
        if voice is None:
            self.voice.result.show_text(self.t("diag.voice.unavailable"), "error")
            return
        why = voice.silence_reason()
        voice.say("diag.test", "zh_CN")
        voice.say("diag.test", "en")
        if why is None:
            self.voice.result.show_text(self.t("diag.voice.said"), "ok")
        else:
            self.voice.result.show_text(self.t(f"diag.voice.now.{why}"), "error")
        self.show_voice()

    def show_voice(self) -> None:
        """On/off, volume, silent hours and whether it speaks now, in the state line."""
        voice, t = self.mode.ctx.voice, self.t
        if voice is None:
            self.voice.state.setText(t("diag.voice.unavailable"))
            self.voice_text.setText("")
            return
        status = voice.status()
        why = status["silent_now"]
        self.voice.state.setText(t(f"diag.voice.now.{why or 'ok'}"))
        self.voice_text.setText(
            t(
                "diag.voice.status",
                volume=status["volume"],
                hours=status["silent_hours"] or t("diag.voice.no_hours"),
                cached=status["cached"],
            )
        )
        self.voice.state.setProperty("tone", "ok" if why is None else "warning")
        restyle(self.voice.state)

    def check_touch(self) -> None:
        panel = self.mode.panel
        self.touch_check = TouchCheck(panel, self.t)
        self.touch_check.finished.connect(self._touch_done)
        self.touch_check.start()

    def _touch_done(self, worst_mm: float, misses: int) -> None:
        ok = misses == 0
        self.touch.result.show_text(
            self.t("diag.touch.result", worst=f"{worst_mm:.1f}", misses=misses),
            "ok" if ok else "error",
        )
        self.mode.audit("selftest_touch", f"touch check: worst {worst_mm:.1f} mm, {misses} miss")
        self.touch_check = None

    # --- texts -----------------------------------------------------------------------------------

    def show_states(self) -> None:
        states = self.mode.ctx.health()
        for name, section in self.sections.items():
            state = states.get(name)
            if name in ("sound", "touch"):
                continue
            if name == "voice":
                self.show_voice()
                continue
            section.state.setText(
                self.t(f"diag.state.{state}") if state else self.t("diag.state.none")
            )
            section.state.setProperty("tone", TONE_OF_STATE.get(state or "", ""))
            restyle(section.state)

    def retranslate(self) -> None:
        t = self.t
        for name, section in self.sections.items():
            section.title.setText(t(f"diag.device.{name}"))
        self.inventory_button.setText(t("diag.rfid.inventory"))
        self.paper_button.setText(t("diag.printer.paper"))
        self.print_button.setText(t("diag.printer.test_page"))
        self.sound_button.setText(t("diag.sound.play"))
        self.voice_button.setText(t("diag.voice.play"))
        self.touch_button.setText(t("diag.touch.start"))
        self.show_states()
        self.refresh_inputs()
