"""What the reader's flows share: the state and steps of :class:`ui.controller.KioskController`
that its mixins (items, my account, offers, receipts, in service) use.

The controller builds all of it in ``__init__``; each mixin derives from :class:`FlowHost`
so that the type checker knows the real type of ``self.window`` or ``self.core`` inside a
mixin and of the controller's steps a mixin calls, instead of ``Any``. Nothing here exists at
run time beyond an empty base class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the controller imports the mixins, which import this
    from zoneinfo import ZoneInfo

    from kiosk.barcodes import BarcodeRules
    from kiosk.core import Core
    from kiosk.models import CardKind
    from kiosk.outcomes import Outcome
    from kiosk.ports import ReceiptPrinter
    from ui.controller import TagSecurity
    from ui.i18n import Translator
    from ui.item_flow import Parts, Uids
    from ui.qt import QtCore
    from ui.screens.items import ItemsScreen
    from ui.session import Session
    from ui.sounds import Sounds
    from ui.voice.guide import VoiceGuide
    from ui.window import KioskWindow
    from ui.worker import CoreClient


class FlowHost:
    """The controller as its flows see it (declarations only; the controller sets them)."""

    # --- what the controller holds --------------------------------------------------------
    t: Translator
    tz: ZoneInfo
    kiosk_id: str
    branch_name: str
    session: Session
    window: KioskWindow
    core: CoreClient[Core]
    device_jobs: CoreClient[None]  # printing and other slow device work
    sounds: Sounds
    guide: VoiceGuide
    security: TagSecurity | None
    printer: ReceiptPrinter | None
    barcode_rules: BarcodeRules
    receipt_qr: str
    receipt_qr_link: str
    on_pad: dict[str, tuple[Parts, Uids]]
    scanned_items: set[str]
    _gather: QtCore.QTimer

    # --- in service or not ----------------------------------------------------------------
    online: bool
    link: bool | None
    out_of_service: bool
    devices_missing: bool
    storage_fault: str
    _state_out_of_service: bool

    if TYPE_CHECKING:
        # --- the controller's own steps that a flow calls ----------------------------------
        def touched(self) -> None: ...
        def end_session(self) -> None: ...
        def say_goodbye(self) -> None: ...
        def card_presented(self, card: str, kind: CardKind) -> None: ...
        def _for_technician(self, card: str) -> bool: ...
        def _identify_failed(self, error: str) -> None: ...

        # --- the item flow's steps the offer flow reuses -----------------------------------
        def _item_done(
            self, screen: ItemsScreen, outcome: Outcome, number: int | None = None
        ) -> None: ...
        def _items_failed(self, piis: list[str], error: str) -> None: ...
        def _write_tag(
            self, screen: ItemsScreen, outcome: Outcome, uid: Uids, number: int, *, on_loan: bool
        ) -> None: ...
