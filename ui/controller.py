"""The reader's flows: which screen shows, what runs on the core worker, when a session ends.

Everything slow (database, tag writes, printing) runs on worker threads; this class only
reacts to their results and to device events, so the screen answers a touch at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from kiosk.barcodes import BarcodeRules
from kiosk.core import Core
from kiosk.models import CardKind
from kiosk.outcomes import Identification
from kiosk.ports import ReceiptPrinter
from kiosk.reasons import Reason
from ui.account_flow import AccountFlow
from ui.devices import DeviceEvents
from ui.help import HelpContact
from ui.i18n import Translator
from ui.idle_clock import IdleClock
from ui.item_flow import ItemFlow, Parts, Uids
from ui.offer_flow import OfferFlow
from ui.qt import QObject, QtCore, Signal
from ui.receipt_flow import ReceiptFlow
from ui.service_flow import ServiceFlow
from ui.session import Mode, Session
from ui.sounds import Sounds
from ui.summary import SessionSummary, summary_sentence
from ui.text import identification_text
from ui.voice import Voice
from ui.voice.guide import VoiceGuide
from ui.window import KioskWindow

log = logging.getLogger(__name__)


class TagSecurity(Protocol):
    """What the pad offers for a placed tag: set or clear its security (AFI/EAS)."""

    def secure(self, uids: tuple[bytes, ...] | bytes, on_loan: bool) -> None: ...


class TechnicianDoor(Protocol):
    """Diagnostics mode as the reader's flows see it (ui/diagnostics)."""

    @property
    def active(self) -> bool: ...

    def card(self, card: str) -> bool:
        """True when ``card`` is a technician's card and opened diagnostics mode."""
        ...


class KioskController(AccountFlow, ItemFlow, OfferFlow, ReceiptFlow, ServiceFlow, QObject):
    """The reader's flows; items, my account, offers, receipts and the in-service state are
    mixins in ui/item_flow.py, ui/account_flow.py, ui/offer_flow.py, ui/receipt_flow.py and
    ui/service_flow.py."""

    session_ended = Signal()

    def __init__(
        self,
        core_factory: Callable[[], Core],
        *,
        branch_name: str,
        tz: ZoneInfo,
        language: str = "zh_CN",
        idle_timeout_s: int = 45,
        idle_countdown_s: int = 20,
        elderly_idle_timeout_s: int | None = None,
        elderly_idle_countdown_s: int | None = None,
        help_phone: str = "",
        help_url: str = "",
        hours_today: str = "",
        kiosk_id: str = "",
        security: TagSecurity | None = None,
        printer: ReceiptPrinter | None = None,
        status_poll_ms: int = 2000,
        goodbye_ms: int = 4000,
        barcode_rules: BarcodeRules | None = None,
        sounds: Sounds | None = None,
        voice: Voice | None = None,
        receipt_qr: str = "text",
        kiosk_model: str = "upright",
        receipt_qr_link: str = "",
        events: DeviceEvents | None = None,
    ) -> None:
        super().__init__()
        from ui.worker import CoreClient

        self.t = Translator(language)
        self.default_language = self.t.language
        self.tz, self.branch_name, self.kiosk_id = tz, branch_name, kiosk_id
        self.security, self.printer = security, printer
        self.receipt_qr, self.receipt_qr_link = receipt_qr, receipt_qr_link
        self.barcode_rules = barcode_rules or BarcodeRules(
            item=r"[0-9]{6,14}", patron_card=r"[A-Z]{1,2}[0-9]{4,12}"
        )
        self.core = CoreClient(core_factory)
        self.device_jobs = CoreClient(lambda: None)  # printing and other slow device work
        self.core.failed.connect(self._job_failed)
        self.core.storage_failed.connect(self._storage_failed)
        self.device_jobs.failed.connect(self._job_failed)
        #: why the kiosk database cannot be used ("" while it can): out of service until a
        #: status poll's test write succeeds again
        self.storage_fault = ""
        self.session = Session()
        self.sounds = sounds or Sounds(False)
        self.devices_missing = self._state_out_of_service = False  # missing: nothing reads items
        self.events = events or DeviceEvents()  # the composition root binds the drivers to it
        self.on_pad: dict[str, tuple[Parts, Uids]] = {}
        #: items known by a barcode scan, not by the pad: nothing says when they leave, so
        #: they are forgotten with the session (the next reader must not borrow them)
        self.scanned_items: set[str] = set()
        self._gather = QtCore.QTimer(self, singleShot=True, interval=0)
        self._gather.timeout.connect(self._decide_waiting)
        self.window = KioskWindow(
            self.t,
            branch_name=branch_name,
            hours_today=hours_today,
            tz=tz,
            help_contact=HelpContact(help_phone, help_url),
        )
        self.window.set_kiosk_model(kiosk_model)
        self._wire_screens()
        self._wire_devices()
        self.idle_clock = IdleClock(
            self.window, self.sounds, self._in_session, self._timed_out,
            timeout_s=idle_timeout_s, countdown_s=idle_countdown_s,
            elderly_timeout_s=elderly_idle_timeout_s, elderly_countdown_s=elderly_idle_countdown_s,
        )  # fmt: skip
        self.guide = VoiceGuide(
            voice or Voice(), lambda: self.t.language, tz,
            borrowing=lambda: self.session.mode is Mode.BORROW,
            accepted=lambda: self.session.accepted,
        )  # fmt: skip
        self.idle_clock.quiet.timeout.connect(self.guide.warn_idle)
        self.window.elderly_changed.connect(self.guide.set_slow)
        self._goodbye = QtCore.QTimer(self, singleShot=True)
        self._goodbye.timeout.connect(self.end_session)
        self._goodbye_ms = goodbye_ms
        self._status = QtCore.QTimer(self, interval=status_poll_ms)
        self._status.timeout.connect(self.poll_status)
        self._status.start()
        self.online = True
        self.link: bool | None = None
        self.out_of_service = False
        self.technician: TechnicianDoor | None = None  # set by ui.diagnostics.install
        self.poll_status()
        self.window.show_screen("home")

    # --- wiring ----------------------------------------------------------------------------

    def _wire_screens(self) -> None:
        w = self.window
        w.home.borrow.connect(lambda: self.begin(Mode.BORROW))
        w.home.give_back.connect(lambda: self.begin(Mode.RETURN))
        w.home.account.connect(lambda: self.begin(Mode.ACCOUNT))
        w.identify.submitted.connect(
            lambda card, kind, pin: self.identify(card, CardKind(kind), pin)
        )
        w.identify.cancelled.connect(self.end_session)
        w.borrow.finished.connect(self.finish)
        w.borrow.renew_requested.connect(self.renew_one)
        w.borrow.fee_accepted.connect(self.accept_fee)
        w.give_back.finished.connect(self.finish)
        w.account.renew.connect(self.renew_many)
        w.account.renew_all.connect(lambda: self.renew_many(None))
        w.account.fee_accepted.connect(self.accept_renewal_fee)
        w.account.finished.connect(self.say_goodbye)
        w.receipt.chosen.connect(self.receipt_chosen)

    def _wire_devices(self) -> None:
        self.events.item_placed.connect(self.item_placed)
        self.events.item_seen.connect(self.item_seen)
        self.events.item_removed.connect(self.item_removed)
        self.events.scanned.connect(self.scanned)
        self.events.unreadable.connect(self.tag_unreadable)
        self.events.card_presented.connect(
            lambda card, kind: self.card_presented(card, CardKind(kind))
        )

    # --- session lifecycle -------------------------------------------------------------------

    def begin(self, mode: Mode) -> None:
        if self.out_of_service:
            return
        self.session.start(mode)
        self.touched()
        self.guide.new_session()
        if mode is Mode.RETURN:
            self.window.give_back.start()
            self.window.show_screen("return")
            self.guide.say("return.place_items")
            self._process_pad()
        else:
            self.window.show_screen("identify")
            self.guide.say("identify.show_card")

    def end_session(self) -> None:
        """Forget the reader: clear every screen that showed their details, go home."""
        self.guide.flush()  # before the session's outcomes are cleared
        self.session.clear()
        for pii in self.scanned_items:
            self.on_pad.pop(pii, None)
        self.scanned_items.clear()
        self.idle_clock.stop()
        self._goodbye.stop()
        self.window.idle.hide()
        w = self.window
        w.borrow.start()
        w.give_back.start()
        w.account.show_loans("", [], datetime.now(UTC))
        w.identify.reset()
        w.receipt.entered()
        w.receipt.show_summary(SessionSummary())
        w.goodbye.show_summary(SessionSummary())
        self.t.set_language(self.default_language)
        w.reset_accessibility()
        w.show_screen("out_of_service" if self.out_of_service else "home")
        self.session_ended.emit()

    def summary(self) -> SessionSummary:
        """What this session borrowed, returned and renewed (ui.summary words it)."""
        return SessionSummary.of(self.session, self.tz)

    def say_goodbye(self) -> None:
        summary = self.summary()
        self.guide.goodbye(
            summary_sentence(summary, self.t.language), card=self.session.patron is not None
        )
        self.window.goodbye.show_summary(summary)
        self.window.show_screen("goodbye")
        self.idle_clock.stop()
        self.window.idle.hide()
        self._goodbye.start(self._goodbye_ms)

    def _timed_out(self) -> None:
        """Nobody answered the idle warning: a session that did something says what, on the
        goodbye screen for a few seconds, before home; one that did nothing goes home."""
        if self.summary() and self.window.current() != "goodbye":
            self.say_goodbye()
        else:
            self.end_session()

    def finish(self) -> None:
        if self.session.accepted:
            self.window.receipt.show_summary(self.summary())
            self.window.show_screen("receipt")
            self.guide.say("receipt.choose")
        else:
            self.say_goodbye()

    # --- identification ------------------------------------------------------------------

    def card_presented(self, card: str, kind: CardKind) -> None:
        if self._for_technician(card):
            return
        self.touched()
        if self.session.mode is Mode.IDLE and self.window.current() == "home":
            self.guide.new_session()
            self.session.start(Mode.BORROW)
            self.window.show_screen("identify")
        if self.session.mode in (Mode.BORROW, Mode.ACCOUNT) and self.session.patron is None:
            self.identify(card, kind, None)

    def _for_technician(self, card: str) -> bool:
        """Cards and scans belong to diagnostics mode while it is open, or when they open it."""
        door = self.technician
        return door is not None and (door.active or door.card(card))

    def identify(self, card: str, kind: CardKind, pin: str | None) -> None:
        self.window.identify.busy(self.t("identify.working"))
        self.core.call(
            lambda core: core.circulation.identify(card, kind, pin),
            lambda ident: self._identified(card, kind, ident),
            self._identify_failed,
        )

    def _identify_failed(self, error: str) -> None:
        """Never left on "querying": the reader is told, the card screen stays usable."""
        log.error("identification failed: %s", error)
        screen = self.window.identify
        screen.reset()
        screen.show_problem(self.t(Reason.KIOSK_FAULT.message_key))
        self.sounds.play("problem")

    def _identified(self, card: str, kind: CardKind, ident: Identification) -> None:
        screen = self.window.identify
        if ident.ok and ident.patron is not None:
            self.session.patron, self.session.borrow_block = ident.patron, ident.borrow_block
            if self.session.mode is Mode.ACCOUNT:
                self._load_account()
            else:
                block = self.t(ident.borrow_block.message_key) if ident.borrow_block else ""
                self.window.borrow.start(ident.patron.initials or "", block)
                self.window.show_screen("borrow")
                if ident.borrow_block:
                    self.guide.reason(ident.borrow_block)
                    self.guide.say("borrow.blocked")
                else:
                    self.guide.say("borrow.place_items")
                self._process_pad()
        elif ident.reason is Reason.PIN_REQUIRED:
            screen.ask_pin(card, kind)
            self.guide.reason(ident.reason)
        elif ident.reason is Reason.PIN_WRONG:
            self.sounds.play("problem")
            screen.ask_pin(card, kind, identification_text(self.t, ident, self.tz), "error")
            self.guide.reason(ident.reason, after_cue=True)
        else:
            screen.reset()
            screen.show_problem(identification_text(self.t, ident, self.tz), ident.reason)
            self.guide.reason(ident.reason)

    # --- idle timeout, status ----------------------------------------------------------------

    def touched(self) -> None:
        """Any touch or device event: the reader is here; restart the idle clock."""
        self.idle_clock.touched()

    def _in_session(self) -> bool:
        """Whether an idle clock should run: a reader is somewhere past the home screen."""
        return self.session.mode is not Mode.IDLE or self.window.current() not in (
            "home",
            "out_of_service",
        )

    def _job_failed(self, error: str) -> None:
        log.error("background job failed: %s", error)

    def stop(self) -> None:
        """Stop timers and workers; the app stops routing input here."""
        self.idle_clock.close()
        self.guide.close()
        for timer in (self._status, self._goodbye):
            timer.stop()
        self.core.stop()
        self.device_jobs.stop()
