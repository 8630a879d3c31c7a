"""Tag tools: read one tag raw and decoded, write it anew from a barcode, set its security."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kiosk.diag import tagtools
from kiosk.ports import DeviceError, TagInfo, TagReader
from kiosk.tags import TagEncodeError
from ui.diagnostics.devices import tag_line
from ui.diagnostics.parts import Page, Section, mono
from ui.qt import QtCore, QtWidgets
from ui.widgets import Keypad

Qt = QtCore.Qt


class ToolProblem(Exception):
    """Something the technician must fix first (no tag, several tags, a bad barcode)."""


def hex_dump(raw: bytes, block_size: int) -> str:
    """Block number, then the block's bytes in hex and as ASCII where printable."""
    lines = []
    for start in range(0, len(raw), block_size):
        block = raw[start : start + block_size]
        text = "".join(chr(b) if 32 <= b < 127 else "·" for b in block)
        lines.append(f"{start // block_size:02d}  {block.hex(' ').upper()}  {text}")
    return "\n".join(lines)


def single_tag(reader: TagReader) -> TagInfo:
    found = reader.inventory()
    if len(found) != 1:
        raise ToolProblem("none" if not found else "several")
    return found[0]


class TagsPage(Page):
    def __init__(self, mode: Any) -> None:
        super().__init__(mode)
        self.read_section = Section()
        self.read_button = self.read_section.add_button("primary")
        self.read_button.clicked.connect(self.read)
        self.read_section.finish_buttons()
        self.decoded_text = mono()
        self.read_section.box.addWidget(self.decoded_text)
        self.raw_section = Section()
        self.raw_text = mono()
        self.raw_section.box.addWidget(self.raw_text)
        self.write_section = Section()
        self.pii = QtWidgets.QLineEdit()
        self.pii.setReadOnly(True)
        self.write_section.box.insertWidget(1, self.pii)
        self.keypad = Keypad()
        self.keypad.digit.connect(lambda d: self.pii.setText(self.pii.text() + d))
        self.keypad.delete.connect(lambda: self.pii.setText(self.pii.text()[:-1]))
        self.keypad.clear.connect(self.pii.clear)
        self.keypad.ok.connect(self.write)
        self.write_section.box.addWidget(self.keypad)
        self.security_section = Section()
        self.secure_button = self.security_section.add_button()
        self.release_button = self.security_section.add_button()
        self.secure_button.clicked.connect(lambda: self.set_security(True))
        self.release_button.clicked.connect(lambda: self.set_security(False))
        self.security_section.finish_buttons()
        for section in (
            self.read_section,
            self.write_section,
            self.security_section,
            self.raw_section,
        ):
            self.column.addWidget(section)
        self.column.addStretch(1)

    def entered(self) -> None:
        self.retranslate()

    def left(self) -> None:
        self.pii.clear()
        self.decoded_text.clear()
        self.raw_text.clear()
        for section in (self.read_section, self.write_section, self.security_section):
            section.result.show_text("")

    def scanned(self, text: str) -> None:
        """A scan on this page is the item barcode to write."""
        self.pii.setText(text)

    # --- jobs ----------------------------------------------------------------------------------

    def _reader(self, section: Section) -> TagReader | None:
        reader: TagReader | None = self.mode.ctx.reader
        if reader is None:
            section.result.show_text(self.t("diag.none_installed"), "error")
        else:
            section.result.show_text(self.t("diag.working"))
        return reader

    def _run(self, section: Section, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def guarded(_: object) -> Any:
            try:
                return job()
            except ToolProblem as problem:
                return problem
            except (DeviceError, TagEncodeError) as error:
                return error

        def finished(result: Any) -> None:
            if isinstance(result, ToolProblem):
                section.result.show_text(self.t(f"diag.tags.{result}"), "error")
            elif isinstance(result, Exception):
                section.result.show_text(self.t("diag.failed", error=str(result)), "error")
                self.mode.audit("tag_tool_failed", f"tag tool failed: {result}")
            else:
                done(result)

        self.mode.run_device(guarded, finished)

    def read(self) -> None:
        reader = self._reader(self.read_section)
        if reader is not None:
            self._run(
                self.read_section,
                lambda: tagtools.read_tag(reader, single_tag(reader)),
                self._show_report,
            )

    def _show_report(self, report: tagtools.TagReport, section: Section | None = None) -> None:
        section = section or self.read_section
        block_size, _ = tagtools.block_geometry(report.info)
        self.decoded_text.setText(tag_line(report))
        self.raw_text.setText(hex_dump(report.raw, block_size))
        ok = report.decoded is not None and report.decoded.format != "blank"
        key = "diag.tags.read_ok" if ok else "diag.tags.unreadable"
        section.result.show_text(self.t(key), "ok" if ok else "error")

    def write(self) -> None:
        pii = self.pii.text().strip()
        if not re.fullmatch(self.mode.controller.barcode_rules.item, pii):
            self.write_section.result.show_text(self.t("diag.tags.bad_barcode"), "error")
            return
        reader = self._reader(self.write_section)
        if reader is None:
            return
        ctx = self.mode.ctx

        def job() -> tagtools.TagReport:
            info = single_tag(reader)
            return tagtools.reencode(
                reader, info, pii=pii, isil=ctx.isil, tag_format=ctx.tag_format
            )

        self._run(self.write_section, job, self._written)

    def _written(self, report: tagtools.TagReport) -> None:
        self._show_report(report, self.write_section)
        written = report.decoded.pii if report.decoded else None
        ok = written == self.pii.text().strip()
        text = self.t("diag.tags.written" if ok else "diag.tags.verify_failed")
        # what the tool could not do (e.g. a reader that cannot write the DSFID) stays visible
        text += "".join(f"\n! {warning}" for warning in report.warnings)
        self.write_section.result.show_text(text, "ok" if ok else "error")
        notes = "".join(f"; {warning}" for warning in report.warnings)
        self.mode.audit(
            "tag_encoded",
            f"tag {report.uid_hex} written as {self.mode.ctx.tag_format}"
            f" for item {written}: {'verified' if ok else 'read-back differs'}{notes}",
        )

    def set_security(self, secured: bool) -> None:
        reader = self._reader(self.security_section)
        if reader is None:
            return
        ctx = self.mode.ctx
        afi = ctx.afi_secured if secured else ctx.afi_on_loan

        def job() -> str:
            info = single_tag(reader)
            tagtools.set_security(reader, info.uid, secured=secured, afi=afi)
            return info.uid.hex().upper()

        def done(uid: str) -> None:
            key = "diag.tags.secured" if secured else "diag.tags.released"
            self.security_section.result.show_text(self.t(key, afi=f"0x{afi:02X}"), "ok")
            self.mode.audit("tag_security", f"tag {uid} AFI set to 0x{afi:02X}")

        self._run(self.security_section, job, done)

    def retranslate(self) -> None:
        t = self.t
        fmt = self.mode.ctx.tag_format
        self.read_section.title.setText(t("diag.tags.read_title"))
        self.read_section.state.setText(t("diag.tags.one_tag"))
        self.read_button.setText(t("diag.tags.read"))
        self.write_section.title.setText(t("diag.tags.write_title"))
        self.write_section.state.setText(t("diag.tags.format", format=f"ISO {fmt}"))
        self.pii.setPlaceholderText(t("diag.tags.barcode_hint"))
        self.keypad.set_texts(t("keypad.clear"), t("keypad.delete"), t("diag.tags.write"))
        self.security_section.title.setText(t("diag.tags.security_title"))
        self.security_section.state.setText("")
        self.raw_section.title.setText(t("diag.tags.raw_title"))
        ctx = self.mode.ctx
        self.secure_button.setText(t("diag.tags.secure", afi=f"0x{ctx.afi_secured:02X}"))
        self.release_button.setText(t("diag.tags.release", afi=f"0x{ctx.afi_on_loan:02X}"))
