"""The receipt at the end of a session: printed, shown as a QR code, or none.

A mixin of :class:`ui.controller.KioskController`, which holds the state it uses; printing
runs on the device worker, never on the UI thread.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk.ports import Receipt, ReceiptLine
from kiosk.reasons import Reason
from ui.flow_host import FlowHost
from ui.help import qr_image
from ui.receipt_qr import receipt_qr_content
from ui.session import Mode
from ui.summary import session_sentence


class ReceiptFlow(FlowHost):
    """The session's receipt: printed on the device worker, shown as a QR code, or none."""

    def receipt(self) -> Receipt:
        kind = "checkout" if self.session.mode is Mode.BORROW else "checkin"
        lines = tuple(
            ReceiptLine(
                title=o.item.title if o.item else o.pii,
                pii=o.pii,
                due_at=o.due_at if kind == "checkout" else None,
                offline=o.offline,
                send_to_owner=o.send_to_owner,
                notes=tuple(o.details.get("print_lines", ())),
                send_to_room=o.details.get("room", "") if o.reason is Reason.SEND_TO_ROOM else "",
            )
            for o in self.session.accepted
        )
        initials = self.session.patron.initials if self.session.patron else ""
        return Receipt(
            kind,
            self.kiosk_id,
            self.branch_name,
            datetime.now(UTC),
            self.t.language,
            lines,
            initials,
        )

    def receipt_qr_text(self) -> str:
        """What the QR receipt encodes (ui.receipt_qr): a short list or the library's page."""
        return receipt_qr_content(
            self.receipt(),
            summary=session_sentence(self.session, self.t.language, self.tz),
            tz=self.tz,
            mode=self.receipt_qr,
            link=self.receipt_qr_link,
        )

    def receipt_chosen(self, choice: str) -> None:
        if choice == "none" or not self.session.accepted:
            self.say_goodbye()
        elif choice == "qr":
            self.window.receipt.show_qr(qr_image(self.receipt_qr_text()))
        elif self.printer is None:
            self.window.receipt.show_qr(
                qr_image(self.receipt_qr_text()), self.t("receipt.printer_problem")
            )
        else:
            receipt, printer = self.receipt(), self.printer
            self.window.receipt.show_printing()
            self.guide.say("receipt.take")
            self.device_jobs.call(
                lambda _: printer.print_receipt(receipt),
                lambda _: self.say_goodbye(),
                lambda error: self.window.receipt.show_qr(
                    qr_image(self.receipt_qr_text()), self.t("receipt.printer_problem")
                ),
            )
